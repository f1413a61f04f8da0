import{a,b}from"./chunk-GRDLLCL6.js";import"./chunk-2OTFQUXE.js";import"./chunk-NXQR2Q4C.js";import"./chunk-6DHFEWGX.js";export{a as TargetFailure,b as obtain};
