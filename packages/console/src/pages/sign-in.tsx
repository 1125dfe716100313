/**
 * The sign-in page: one button that goes to the identity provider (authorization code with PKCE).
 * `notice` says why the person is here again (signed out, session ended); `error` is a failed sign-in.
 */
export function SignInPage(props: {
  readonly notice: string | undefined;
  readonly error: string | undefined;
  readonly onSignIn: () => void;
}) {
  return (
    <main class="page sign-in" id="main">
      <h1>Incident response console</h1>
      {props.notice && <p class="notice">{props.notice}</p>}
      {props.error && (
        <p role="alert" class="error">
          Sign-in failed: {props.error}
        </p>
      )}
      <p>Sign in with your organisation's identity provider to see incidents, approvals and evidence.</p>
      <button type="button" class="primary" onClick={props.onSignIn}>
        Sign in
      </button>
    </main>
  );
}
