/** The suppressor is shared with the response coordinator, in @ir/suppression. */
export { createSuppressor, type SuppressionVerdict, type Suppressor } from '@ir/suppression';
