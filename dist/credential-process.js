import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{c as t,e as o,f as i}from"./chunks/chunk-6D4J6HZD.js";import p from"node:path";var[a="",s=""]=process.argv.slice(2);try{let e=o(p.dirname(a),s),r=t(e.cache);if(i(r,Date.now()))process.stdout.write(r);else{let{refresh:c}=await import("./chunks/refresh-BLLFWNC2.js");process.stdout.write(await c(a,s,e,r))}}catch(e){process.stderr.write(`oidc-aws-credentials (profile ${s}): ${e.message.replace(/\s*\n\s*/g," ")}
`),process.exitCode=1}
