import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{a,b,c}from"./chunk-GDVQTQCK.js";import"./chunk-2KFT2NLM.js";import"./chunk-YVV32K6S.js";import"./chunk-PPOHXANP.js";import"./chunk-EIVDQFYT.js";import"./chunk-AJZQ6QDV.js";import"./chunk-EZIQGG4H.js";export{c as credentialsTreatedAsExpired,b as credentialsWillNeedRefresh,a as defaultProvider};
