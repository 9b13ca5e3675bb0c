// The shared helper under the name these suites use.
export { catchLoadError as catchLoad } from '../../../helpers/catch-load-error.js';
