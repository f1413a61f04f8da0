import{a,b}from"./chunk-LUUOUFUO.js";import"./chunk-WYLISA3O.js";import"./chunk-5M6OOLQN.js";import"./chunk-6DHFEWGX.js";export{a as TargetFailure,b as obtain};
