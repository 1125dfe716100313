/** Escapes the three characters Slack's mrkdwn reserves (`&`, `<`, `>`); quotes stay as typed. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return escapeMrkdwn(text).replace(/"/g, '&quot;');
}
