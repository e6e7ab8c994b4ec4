// `express4` is an npm alias of express@4 (devDependencies), to test the adapter on both majors: typed as express.
declare module "express4" {
  import express from "express";
  export default express;
}
