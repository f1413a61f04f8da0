import{a,b}from"./chunk-HUT2IUYZ.js";import"./chunk-6DHFEWGX.js";export{a as defaultProvider,b as fromNodeProviderChain};
