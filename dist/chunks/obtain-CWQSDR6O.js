import{a,b}from"./chunk-FV3O34IH.js";import"./chunk-O5XGAA6L.js";import"./chunk-EKODACIM.js";import"./chunk-NXQR2Q4C.js";import"./chunk-6DHFEWGX.js";export{a as TargetFailure,b as obtain};
