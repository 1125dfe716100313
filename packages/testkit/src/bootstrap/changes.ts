/** What a bootstrap run did, as `service:name` entries; both empty when everything already matched. */
export interface Changes {
  readonly created: string[];
  readonly updated: string[];
}
