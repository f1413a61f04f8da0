import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{a as t}from"./chunk-46RVP3DS.js";var o=t((p,e)=>{e.exports=process.getBuiltinModule("node:http")});export{o as a};
