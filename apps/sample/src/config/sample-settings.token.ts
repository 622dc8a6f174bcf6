/** The injection token of the app's `SampleSettings`. */
export const SAMPLE_SETTINGS = Symbol('SAMPLE_SETTINGS');
