import{a,b}from"./chunk-TT5R4PMG.js";import"./chunk-2OTFQUXE.js";import"./chunk-NXQR2Q4C.js";import"./chunk-6DHFEWGX.js";export{a as TargetFailure,b as obtain};
