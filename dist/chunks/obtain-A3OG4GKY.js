import{a,b}from"./chunk-NZDKH34B.js";import"./chunk-AN6R2EQ5.js";import"./chunk-HJ26XHU6.js";import"./chunk-NXQR2Q4C.js";import"./chunk-6DHFEWGX.js";export{a as TargetFailure,b as obtain};
