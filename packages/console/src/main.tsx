import { render } from 'preact';
import { App } from './app.js';
import { loadConsoleConfig } from './config.js';

const root = document.getElementById('app');
if (root) {
  loadConsoleConfig().then(
    (config) => render(<App config={config} />, root),
    (error: unknown) =>
      render(
        <main class="page">
          <h1>Incident response console</h1>
          <p role="alert">
            The console could not read its configuration:{' '}
            {error instanceof Error ? error.message : String(error)}
          </p>
        </main>,
        root,
      ),
  );
}
