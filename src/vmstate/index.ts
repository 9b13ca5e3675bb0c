// Public surface of the VMState engine. The walker and the JSON converters
// live in their own files; this barrel is what other layers import.
export * from './description.js';
