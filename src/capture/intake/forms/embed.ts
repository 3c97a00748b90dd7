import { type Locale, translate } from '../../../platform/i18n.ts';
import { formMessages } from './messages.ts';
import type { Form } from './model.ts';

/** What the embed script needs to draw and send a form. Every string reaches the page as text, never as HTML. */
interface EmbedConfig {
  id: string;
  action: string;
  name: string;
  description: string | null;
  fields: Form['fields'];
  consentText: string | null;
  consentRequired: boolean;
  submit: string;
  token: string;
  m: { requiredMark: string; network: string; fix: string; choose: string; sending: string; thanks: string };
}

// Runs on the customer's page: it must never throw into it, and builds every node with
// textContent so no value can inject markup. It posts urlencoded with Accept: application/json,
// a CORS "simple request": no preflight, no cookies, nothing the host page's origin can break.
const RUNTIME = `(function(c){try{
var d=document,s=d.currentScript;
if(!s){var all=d.getElementsByTagName('script');for(var i=all.length-1;i>=0;i--){if((all[i].src||'').indexOf('/f/'+c.id+'/embed.js')>=0){s=all[i];break;}}}
var css='.lf-form{font-family:inherit;max-width:560px;display:flex;flex-direction:column;gap:12px;text-align:left}.lf-form .lf-f{display:flex;flex-direction:column;gap:4px}.lf-form label{font-weight:600;font-size:14px}.lf-form .lf-c{flex-direction:row;align-items:flex-start;gap:8px}.lf-form .lf-c label{font-weight:400}.lf-form input,.lf-form select,.lf-form textarea{font:inherit;padding:8px;border:1px solid #bcccdc;border-radius:4px}.lf-form .lf-r{color:#c53030;font-size:12px;margin-left:6px;font-weight:400}.lf-form .lf-e{color:#c53030;font-size:13px}.lf-form .lf-hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}.lf-form button{font:inherit;background:#0b69a3;color:#fff;border:0;border-radius:4px;padding:10px 20px;cursor:pointer;align-self:flex-start}.lf-form .lf-msg{white-space:pre-wrap}';
if(!d.getElementById('lf-form-css')){var st=d.createElement('style');st.id='lf-form-css';st.textContent=css;(d.head||d.documentElement).appendChild(st);}
function el(t,a,txt){var e=d.createElement(t);for(var k in a)if(a[k]!==undefined&&a[k]!==null&&a[k]!==false)e.setAttribute(k,a[k]===true?'':a[k]);if(txt!=null)e.textContent=txt;return e;}
var f=el('form',{'class':'lf-form','data-leadflow-form':c.id,novalidate:true});
if(c.description)f.appendChild(el('p',{'class':'lf-msg'},c.description));
var errs={};
function row(key,label,input,req,check){var r=el('div',{'class':'lf-f'+(check?' lf-c':'')});var l=el('label',{'for':'lf-'+c.id+'-'+key},label);if(req)l.appendChild(el('span',{'class':'lf-r'},c.m.requiredMark));if(check){r.appendChild(input);r.appendChild(l);}else{r.appendChild(l);r.appendChild(input);}var er=el('span',{'class':'lf-e',role:'alert'});r.appendChild(er);errs[key]=er;f.appendChild(r);}
for(var i=0;i<c.fields.length;i++){var fd=c.fields[i],id='lf-'+c.id+'-'+fd.key,inp;
if(fd.type==='textarea')inp=el('textarea',{id:id,name:fd.key,rows:'4',required:!!fd.required,placeholder:fd.placeholder});
else if(fd.type==='select'){inp=el('select',{id:id,name:fd.key,required:!!fd.required});inp.appendChild(el('option',{value:''},c.m.choose));for(var j=0;j<(fd.options||[]).length;j++)inp.appendChild(el('option',{value:fd.options[j]},fd.options[j]));}
else if(fd.type==='checkbox')inp=el('input',{type:'checkbox',id:id,name:fd.key,value:'on',required:!!fd.required});
else inp=el('input',{type:fd.type==='number'?'text':fd.type,inputmode:fd.type==='number'?'numeric':null,id:id,name:fd.key,required:!!fd.required,placeholder:fd.placeholder,maxlength:'200'});
row(fd.key,fd.label,inp,fd.required,fd.type==='checkbox');}
if(c.consentText)row('consent',c.consentText,el('input',{type:'checkbox',id:'lf-'+c.id+'-consent',name:'consent',value:'on',required:c.consentRequired}),c.consentRequired,true);
var hp=el('div',{'class':'lf-hp','aria-hidden':'true'});hp.appendChild(el('input',{type:'text',name:'_lf_hp',tabindex:'-1',autocomplete:'off'}));f.appendChild(hp);
var msg=el('div',{'class':'lf-e lf-msg',role:'alert'});f.appendChild(msg);
var btn=el('button',{type:'submit'},c.submit);f.appendChild(btn);
f.addEventListener('submit',function(ev){ev.preventDefault();
for(var k in errs)errs[k].textContent='';msg.textContent='';
var body=new URLSearchParams();var els=f.elements;
for(var i=0;i<els.length;i++){var x=els[i];if(!x.name)continue;if(x.type==='checkbox'){if(x.checked)body.append(x.name,'on');}else body.append(x.name,x.value);}
var l=window.location,q=l.search?new URLSearchParams(l.search):null;
['utm_source','utm_medium','utm_campaign','utm_term','utm_content'].forEach(function(k){var v=q&&q.get(k);if(v)body.append(k,v);});
body.append('_lf_ts',c.token);body.append('_lf_embed','1');body.append('_lf_page',l.href);body.append('_lf_referrer',d.referrer||'');
var m=d.cookie.match(/(?:^|; )_lfvid=([^;]+)/);if(m)body.append('_lf_visitor',decodeURIComponent(m[1]));
btn.disabled=true;var label=btn.textContent;btn.textContent=c.m.sending;
fetch(c.action,{method:'POST',body:body,headers:{Accept:'application/json'},credentials:'omit',mode:'cors'}).then(function(r){return r.json().then(function(j){return{s:r.status,j:j};});}).then(function(res){
btn.disabled=false;btn.textContent=label;var j=res.j||{};
if(res.s<300&&j.ok){if(j.redirectUrl){window.location.href=j.redirectUrl;return;}var done=el('div',{'class':'lf-form lf-msg',role:'status','data-leadflow-thanks':c.id},j.message||c.m.thanks);f.parentNode.replaceChild(done,f);return;}
var list=j.errors||[];for(var i=0;i<list.length;i++){if(errs[list[i].path])errs[list[i].path].textContent=list[i].message;}
msg.textContent=j.detail||c.m.fix;if(j.token)c.token=j.token;
}).catch(function(){btn.disabled=false;btn.textContent=label;msg.textContent=c.m.network;});});
if(s&&s.parentNode)s.parentNode.insertBefore(f,s.nextSibling);else(d.body||d.documentElement).appendChild(f);
}catch(e){}})`;

/** `GET /f/{id}/embed.js`: the form drawn where the script tag stands, in the visitor's language. */
export function renderEmbedScript(form: Form, locale: Locale, publicUrl: string, token: string): string {
  const t = (k: keyof (typeof formMessages)['ja']) => translate(formMessages, locale, k);
  const config: EmbedConfig = {
    id: form.id,
    action: `${publicUrl}/f/${form.id}`,
    name: form.name,
    description: form.description,
    fields: form.fields,
    consentText: form.consentText,
    consentRequired: form.consentRequired,
    submit: form.submitLabel || t('submit'),
    token,
    m: {
      requiredMark: t('requiredMark'),
      network: t('network'),
      fix: t('fix'),
      choose: t('choose'),
      sending: t('sending'),
      thanks: form.thankYouMessage || t('thanks'),
    },
  };
  // JSON is valid JS; < and the line separators are escaped so the literal is safe anywhere.
  const json = JSON.stringify(config)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return `${RUNTIME}(${json});\n`;
}
