// `node --import` this (after tsx, so these hooks see every module first) to run record-loads.mjs.
import { register } from "node:module";

register("./record-loads.mjs", import.meta.url);
