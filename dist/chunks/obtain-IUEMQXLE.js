import{a,b}from"./chunk-DIVN2YBA.js";import"./chunk-WVCYBLKI.js";import"./chunk-5M6OOLQN.js";import"./chunk-6DHFEWGX.js";export{a as TargetFailure,b as obtain};
