/** The matcher is shared with the response coordinator (its proposals count matches with it). */
export { type CompiledRule, compileRule, principalArns } from '@ir/suppression';
