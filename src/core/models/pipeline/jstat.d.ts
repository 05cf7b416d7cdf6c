/** The one part of jstat the pipeline uses; the package ships no typings. */
declare module 'jstat' {
  const jStat: {
    studentt: {
      /** P(T ≤ x) for Student's t with `dof` degrees of freedom. */
      cdf(x: number, dof: number): number;
    };
  };
  export default jStat;
}
