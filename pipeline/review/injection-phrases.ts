/**
 * The phrasings of text that speaks to the reviewing model instead of describing the code: each a pattern and what it
 * tries to do. Case-insensitive; words may be separated by any whitespace. Kept to imperative, reviewer-directed forms so
 * that code and docs which merely talk about prompts, verdicts or reviews do not match.
 */

/** The rule id of an injection finding (findings.rule); the score stage reads it without loading the checker. */
export const INJECTION_RULE = "prompt-injection";

/** The intent of chat-template tokens: quoted in docs they are a prompt format being documented (injection-audience.ts). */
export const CHAT_FORMAT_INTENT = "imitates the chat format";

export interface InjectionPhrase {
  /** What the text tries to make the reviewer do, for the finding's title. */
  intent: string;
  pattern: RegExp;
  /** When set, the same text must also name a model or agent (ADDRESSEE): an imperative alone is ordinary prose. */
  addressed?: boolean;
  /**
   * When set, the phrase only names a model as its reader ("Note to AI reviewers:", "As an AI,"): with no attack in the
   * same text it asks nothing, so it holds the file below `auto` but is no finding (docs of LLM tools say "instructions
   * to Claude, such as…" and "Instructions to the LLM, to be passed in the prompt" all the time).
   */
  addressOnly?: boolean;
}

const W = String.raw`(?:[\w'-]+\s+)`;
/**
 * A disclosure policy names where to report instead ("do not report security vulnerabilities through public GitHub
 * issues", GitHub's SECURITY.md template): that asks a human reporter for a private channel, it hides nothing.
 */
const NOT_A_CHANNEL = String.raw`(?!\s+(?:publicly\b|(?:through|via|on|in|to|using|as|at)\s+(?:(?:a|an|the|our|any)\s+)?(?:public|github|gitlab|open|issues?\b|pull\s+requests?|discussions?|(?:the\s+)?(?:issue|bug)\s+trackers?|forums?|social\s+media|mailing\s+lists?)))`;
const re = (source: string) => new RegExp(source, "i");

export const INJECTION_PHRASES: InjectionPhrase[] = [
  {
    intent: "tells the reviewer to drop its instructions",
    pattern: re(
      String.raw`\b(?:ignore|disregard|forget|override|bypass|skip)\s+(?:(?:all|any|the|your|of|every|these)\s+)*(?:previous|prior|above|earlier|preceding|former|original|existing|initial)\s+(?:instructions?|prompts?|rules|directions|directives|guidelines|context|messages?|commands?)\b`,
    ),
  },
  { intent: "tells the reviewer to drop its instructions", pattern: re(String.raw`\bforget\s+(?:everything|all)\s+(?:above|before|you\s+(?:were|have\s+been)\s+told)\b`) },
  { intent: "hands the reviewer new instructions", pattern: re(String.raw`\b(?:your\s+)?(?:new|updated|real|actual|true)\s+instructions\s+(?:are\s*:?|:)`) },
  {
    intent: "dictates the verdict",
    pattern: re(
      String.raw`\b(?:return|output|respond\s+with|reply\s+with|answer\s+with|give|emit|choose|assign|produce)\s+(?:(?:a|an|the|this|your)\s+)?(?:final\s+|overall\s+)?["'\x60]?verdict["'\x60]?\s*(?:of|as|to|=|:|is)?\s*["'\x60]?(?:pass|passed|passing)\b`,
    ),
  },
  // "set" only with an article: SQL's `SET verdict = 'pass'` is code, not a request.
  { intent: "dictates the verdict", pattern: re(String.raw`\bset\s+(?:the|your|its|this\s+file's)\s+(?:final\s+|overall\s+)?verdict\s+(?:to|as)\s+["'\x60]?pass\b`) },
  { intent: "dictates the verdict", pattern: re(String.raw`\b(?:the\s+|your\s+)?verdict\s+(?:must|should|shall|has\s+to)\s+be\s+["'\x60]?pass\b`) },
  {
    intent: "dictates the verdict",
    pattern: re(
      String.raw`\b(?:mark|flag|label|classify|rate|treat|consider|report|score|approve)\s+(?:this|the|these|that)\s+(?:file|code|shard|module|function|class|change|pr|pull\s+request|diff|snippet|script|library|package|repo(?:sitory)?)\s+as\s+(?:a\s+|an\s+)?(?:pass(?:ed|ing)?|safe|clean|secure|approved|correct|verified|trusted|ok|fine|compliant|bug-?free|passing)\b`,
    ),
  },
  {
    intent: "dictates the scores",
    pattern: re(String.raw`\b(?:give|assign|set|rate|score)\s+(?:this|the)\s+(?:file|code|shard|module)\s+(?:a\s+|an\s+)?(?:perfect|full|maximum|max|top|highest|10(?:\s*\/\s*10)?)\b`),
  },
  { intent: "dictates the scores", pattern: re(String.raw`\b(?:set|give|return|use|report)\s+(?:all\s+|every\s+)?(?:the\s+)?(?:confidences?|alignment[_ ]score)\s+(?:of|to|=|at|as)\s*(?:100|10)\b`) },
  {
    intent: "gives the reviewer a new role",
    pattern: re(String.raw`\byou\s+are\s+now\s+(?:a|an|the|my)\s+${W}{0,3}?(?:assistant|reviewer|auditor|model|ai|bot|agent|chatbot|persona|llm|gpt)\b`),
  },
  { intent: "gives the reviewer a new role", pattern: re(String.raw`\byou\s+are\s+(?:now\s+in|no\s+longer\s+in)\s+(?:developer|dan|god|jailbreak|unrestricted|debug|admin|maintenance)\s+mode\b`) },
  { intent: "gives the reviewer a new role", pattern: re(String.raw`\byou\s+are\s+no\s+longer\s+(?:a|an|the)\s+${W}{0,2}?(?:assistant|reviewer|auditor|model|ai)\b`) },
  { intent: "gives the reviewer a new role", pattern: re(String.raw`\bfrom\s+now\s+on,?\s+you\s+are\b`) },
  {
    intent: "speaks to the reviewer as a model",
    addressOnly: true,
    pattern: re(
      String.raw`\bas\s+an?\s+(?:ai|llm|large\s+language\s+model|language\s+model|automated|artificial\s+intelligence)(?:\s+(?:code|security|software))?(?:\s+(?:reviewer|auditor|assistant|model|agent|system))?\s*[,:]`,
    ),
  },
  {
    intent: "speaks to the reviewer as a model",
    pattern: re(String.raw`\bas\s+an?\s+(?:code\s+|security\s+)?(?:reviewer|auditor)\s*,\s*(?:you|please|ignore|do|don't|return|mark|approve|skip)\b`),
  },
  {
    intent: "speaks to the reviewer as a model",
    addressOnly: true,
    // Said to the model, not about it: the address ends in a mark ("Note to AI reviewers:", "Dear AI,"); docs of LLM
    // tools describe "instructions to the LLM that ask it to…" all the time (Aider-AI/aider, evaluation set).
    pattern: re(String.raw`\b(?:dear|hey|attention|(?:note|message|instructions?)\s+(?:to|for)(?:\s+the|\s+any)?)\s+(?:(?:ai|automated|llm)\s+(?:code\s+)?(?:reviewers?|auditors?|assistants?|agents?|models?)|ai|llm|gpt|claude|chatgpt|language\s+models?)\b\s*[:,!\u2014\u2013-]`),
  },
  {
    intent: "speaks to the reviewer as a model",
    pattern: re(
      String.raw`\b(?:ai|llm|automated)\s+(?:code\s+)?(?:reviewers?|auditors?|assistants?)\s*[:,]\s*(?:please\s+)?(?:ignore|skip|approve|pass|accept|disregard|do\s+not|don't|return|mark|treat|report)\b`,
    ),
  },
  {
    intent: "tells the reviewer to hide findings",
    pattern: re(
      String.raw`\b(?:do\s+not|don't|dont|never|must\s+not|should\s+not)\s+(?:report|flag|mention|raise|list|include|penalize|surface)\s+(?:(?:any|the|this|these|that|those|its|such)\s+)?${W}{0,2}?(?:findings?|vulnerabilit(?:y|ies))\b${NOT_A_CHANNEL}`,
    ),
  },
  {
    intent: "tells the reviewer to hide findings",
    pattern: re(
      String.raw`\b(?:do\s+not|don't|dont|never|must\s+not)\s+(?:report|flag|mention|raise)\s+(?:(?:any|the|these|those)\s+)?(?:issues?|problems?|bugs?|stubs?|todos?|errors?|anything|this|it)\s+(?:in|about|for|with|on)\s+(?:this|the)\s+(?:file|code|function|shard|module|snippet|class)\b`,
    ),
  },
  {
    intent: "tells the reviewer to hide findings",
    pattern: re(String.raw`\b(?:do\s+not|don't|dont|never)\s+(?:flag|report)\s+(?:this|it)\s+as\s+(?:a\s+|an\s+)?(?:finding|issue|problem|vulnerability|bug|stub|risk|placeholder)\b`),
  },
  {
    intent: "reaches for the system prompt",
    pattern: re(String.raw`\b(?:ignore|disregard|forget|override|overwrite|bypass|reveal|leak|print|repeat)\s+(?:the\s+|your\s+|this\s+)?system\s+(?:prompt|message|instructions?)\b`),
  },
  { intent: "reaches for the system prompt", pattern: re(String.raw`\b(?:new|updated|real|actual|true)\s+system\s+(?:prompt|message|instructions?)\s*(?::|is\b|are\b)`) },
  // A fake delimiter stands on a line of its own; prose about "the start of the system prompt" does not.
  { intent: "reaches for the system prompt", pattern: re(String.raw`^\W*(?:end|begin)\s+(?:of\s+)?(?:the\s+)?system\s+(?:prompt|message|instructions)\W*$`) },
  { intent: CHAT_FORMAT_INTENT, pattern: re(String.raw`<\|im_start\|>\s*(?:system|assistant|user)\b|<\|start_header_id\|>\s*(?:system|assistant)\b|\[INST\]|<{2}SYS>{2}`) },
];

/**
 * Who the text speaks to: a model, an AI tool or agent, or a reviewer called by name (`Reviewer:`, `dear auditor`,
 * `if you are an automated …`). A line that names one and carries an attack imperative is an instruction, however
 * it is worded; either half alone is ordinary prose.
 */
export const ADDRESSEE = re(
  // Not a path or a file name: `~/.llm`, `models/`, `agent.py` name no one.
  String.raw`(?<![\w./~-])(?:ai|a\.i\.|llms?|gpt(?:-?\d)?|chatgpt|claude|gemini|copilot|codex|(?:large\s+)?language\s+models?|(?:ai|automated|autonomous|coding|code|llm|review)\s+(?:agents?|assistants?|reviewers?|auditors?|scanners?|tools?|bots?)|assistants?|agents?|models?|bots?)(?![\w/-]|\.\w)|\b(?:dear|hey|hi|attention|note\s+(?:to|for)(?:\s+the|\s+any)?)\s+(?:code\s+|security\s+)?(?:reviewers?|auditors?|scanners?)\b|(?:^|[^\w\s]\s*)(?:code\s+|security\s+)?(?:reviewers?|auditors?|scanners?)\s*[,:]|\bif\s+you\s+are\s+(?:an?\s+)?(?:automated|reviewer|auditor|scanner|machine|program|bot)\b`,
);

// Attack imperatives: what an instruction asks the reader to do. Each is matched only where ADDRESSEE also is.
const SOME = String.raw`(?:[\w'-]+\s+){0,4}?`;
/**
 * An override verb in the imperative, not in a sentence that says what models do: "helps models ignore irrelevant
 * context in their prompt" (567-labs/instructor) and "lets the model ignore…" describe, they do not instruct.
 */
const NOT_DESCRIBED = String.raw`(?<!\b(?:models|llms|agents|assistants|they|we)\s+|\b(?:helps?|helping|helped|lets?|letting|makes?|making|made)\s+(?:(?:the|a|an|your|our|their)\s+)?(?:models?|llms?|agents?|assistants?|ai|it|them)\s+)`;
const OVERRIDE = String.raw`${NOT_DESCRIBED}\b(?:ignore|disregard|forget|override|overwrite|bypass|skip|overlook|neglect|set\s+aside|pay\s+no\s+attention\s+to|(?:do\s+not|don't|stop)\s+follow(?:ing)?|abandon|discard)\s+${SOME}(?:instructions?|rules|guidelines|directions|directives|guidance|system\s+prompt|prompts?|polic(?:y|ies)|constraints|restrictions|safeguards|guardrails|checks|criteria|everything\s+(?:above|else|before)|the\s+above|what\s+(?:you\s+were|was)\s+told|(?:your|its)\s+(?:training|programming|task|job|audit))\b`;
const SUBJECT = String.raw`(?:this|the|these|that|it|everything|all|my|our|its)(?:\s+(?:whole\s+|entire\s+)?(?:file|files|code|module|function|class|changes?|pr|pull\s+request|diff|snippet|script|library|package|repo(?:sitory)?|section|block|project|shard|commit|lines?|component|query|implementation|program|app|below|above))?`;
const APPROVE = String.raw`\b(?:mark|flag|label|classify|rate|treat|consider|report|score|declare|deem|record|grade|judge|tag|certify|list)\s+${SUBJECT}\s+as\s+(?:a\s+|an\s+|being\s+|fully\s+|completely\s+)?(?:pass(?:ed|ing)?|safe|clean|secure|approved|correct|verified|trusted|ok|okay|fine|compliant|bug-?free|harmless|benign|production[\s-]ready|green|low[\s-]risk|acceptable|valid)\b|\b(?:approve|greenlight|green-light|sign\s+off\s+on|whitelist|allowlist)\s+(?:this|these|the|that|it|all|every)\b|\b(?:verdict|rating|outcome|assessment|result)\s+${SOME}(?:is|=|:|should\s+be|must\s+be|to|as)\s+["'\x60]?(?:pass(?:ed)?|approved|safe|clean)\b|\b(?:say|state|conclude|answer|respond|reply|output|return|write|report)\s+(?:that\s+)?${SOME}(?:is|are)\s+(?:safe|clean|correct|secure|fine|ok|bug-?free)\b|\b(?:there\s+are\s+|report\s+|find\s+|with\s+)?(?:no|zero)\s+(?:issues|findings|problems|vulnerabilities|bugs)\s+(?:here|found|exist|to\s+report|in\s+this)\b`;
const HIDE = String.raw`\b(?:do\s+not|don't|dont|never|avoid|refrain\s+from|no\s+need\s+to|(?:you\s+)?(?:need|must|should)\s+not)\s+(?:\w+\s+){0,2}?(?:report(?:ing)?|flag(?:ging)?|mention(?:ing)?|rais(?:e|ing)|includ(?:e|ing)|surfac(?:e|ing)|penali[sz](?:e|ing)|point(?:ing)?\s+out|warn(?:ing)?\s+about|comment(?:ing)?\s+on|look(?:ing)?\s+(?:at|into)|review(?:ing)?|audit(?:ing)?|scan(?:ning)?|analy[sz](?:e|ing))\s+${SOME}(?:findings?|issues?|problems?|bugs?|vulnerabilit(?:y|ies)|errors?|flaws?|backdoors?|weakness(?:es)?|this\s+(?:file|code|function|module|section|block|line|part)|these\s+lines|anything)\b`;
const KEEP_FROM_USER = String.raw`\b(?:do\s+not|don't|never|without)\s+(?:tell(?:ing)?|inform(?:ing)?|ask(?:ing)?|notify(?:ing)?|alert(?:ing)?|confirm(?:ing)?\s+with|show(?:ing)?)\s+(?:the\s+|your\s+)?(?:user|human|developer|operator|maintainer|owner)s?\b`;
/** Commands an agent must never be told to run: deleting, piping the network into a shell, exfiltrating secrets. */
const DANGEROUS = String.raw`\brm\s+-(?:rf|fr|r|f)\b|\bcurl\s[^|\n]*\|\s*(?:ba|z|k)?sh\b|\bwget\s[^|\n]*\|\s*(?:ba|z)?sh\b|\bchmod\s+(?:-R\s+)?777\b|\bmkfs\b|\bdd\s+if=|\bgit\s+push\s+(?:-f|--force)\b|\bdrop\s+(?:table|database)\b|\b(?:del|rd|rmdir)\s+\/[sfq]\b|\bformat\s+c:|\b(?:send|upload|post|exfiltrate|email|forward|copy|leak)\s+${SOME}(?:secrets?|api\s+keys?|tokens?|credentials|passwords?|private\s+keys?|ssh\s+keys?|\.env|env(?:ironment)?\s+variables)\b[^.\n]{0,40}?\bto\s+(?:https?:\/\/|[\w.-]+@[\w-]+\.|(?:this|the\s+following|my|our|an?)\s+(?:url|server|endpoint|address|webhook|email|host|gist|pastebin))|\b(?:delete|remove|wipe|erase|destroy|truncate)\s+(?:all\s+|every\s+|the\s+)?(?:files|data(?:base)?|repo(?:sitory)?|tests|logs|backups|history|home\s+directory)\b(?!\s+from\s+(?:the\s+|your\s+|this\s+)?(?:chat|context|session|conversation|list|selection|index|staging|prompt|view)\b)|\b(?:disable|turn\s+off|skip)\s+(?:the\s+|all\s+)?(?:tests|checks|ci|safety|security|linters?|hooks|sandbox)\b`;

/** Paraphrases: an attack imperative in any wording, counted where the same text addresses a model or agent. */
export const ADDRESSED_PHRASES: InjectionPhrase[] = [
  { intent: "tells the reviewer to drop its instructions", pattern: re(OVERRIDE), addressed: true },
  { intent: "dictates the verdict", pattern: re(APPROVE), addressed: true },
  { intent: "tells the reviewer to hide findings", pattern: re(HIDE), addressed: true },
  { intent: "tells an agent to act behind the user's back", pattern: re(KEEP_FROM_USER), addressed: true },
  { intent: "tells an agent to run a destructive command", pattern: re(DANGEROUS), addressed: true },
];

/**
 * The same instructions in the major other languages: Spanish, Portuguese, French, German, Italian, Russian, Chinese,
 * Japanese and Korean. Each names the verb and its object, so a word alone never matches.
 */
export const FOREIGN_PHRASES: InjectionPhrase[] = [
  // Spanish / Portuguese / Italian
  { intent: "tells the reviewer to drop its instructions", pattern: re(String.raw`\b(?:ignora|ignore|ignorar|ignorad|olvida|olvide|olvidar|esque[çc]a|esquecer|descarta)\s+(?:\S+\s+){0,3}?(?:instrucciones|instru[çc][õo]es|istruzioni|reglas|regras|indicaciones)\b`) },
  { intent: "dictates the verdict", pattern: re(String.raw`\b(?:marca|marque|marcar|marcad|considera|considere|clasifica|classifique|segna|contrassegna)\s+(?:este|esta|esto|este|questo|questa)\s+(?:archivo|arquivo|c[óo]digo|file|codice|fichero)\s+como\s+(?:seguro|aprovado|aprobado|correcto|correto|v[áa]lido|limpio|limpo|sicuro|approvato)\b|\b(?:segna|contrassegna)\s+questo\s+(?:file|codice)\s+come\s+(?:sicuro|approvato|corretto)\b`) },
  { intent: "dictates the verdict", pattern: re(String.raw`\b(?:aprueba|aprove|aprovar|aprobar|approva)\s+(?:este|esta|questo|questa)\s+(?:archivo|arquivo|c[óo]digo|file|codice|cambio|mudan[çc]a)\b|\bel\s+veredicto\s+(?:debe\s+ser|es)\s+["'\x60]?pass\b|\bo\s+veredito\s+(?:deve\s+ser|[ée])\s+["'\x60]?pass\b`) },
  { intent: "tells the reviewer to hide findings", pattern: re(String.raw`\bno\s+(?:reportes|reporte|informes|menciones|se[ñn]ales)\s+(?:ning[úu]n|ninguna|los|las)?\s*(?:problemas?|errores?|hallazgos?|fallos?|vulnerabilidad(?:es)?)\b|\bn[ãa]o\s+(?:reporte|relate|informe|mencione|aponte)\s+(?:nenhum|nenhuma|os|as)?\s*(?:problemas?|erros?|falhas?|vulnerabilidades?)\b|\bnon\s+(?:segnalare|riportare)\s+(?:alcun|nessun)\w*\s+(?:problem|error|vulnerabilit)\w*`) },
  { intent: "gives the reviewer a new role", pattern: re(String.raw`\b(?:ahora\s+eres|eres\s+ahora|agora\s+voc[êe]\s+[ée]|voc[êe]\s+agora\s+[ée]|ora\s+sei)\s+(?:un|una|um|uma)\s+(?:\S+\s+){0,2}?(?:revisor|auditor|asistente|assistente|modelo|ia|revisore|bot)\b`) },
  // French
  { intent: "tells the reviewer to drop its instructions", pattern: re(String.raw`\b(?:ignore[zr]?|oublie[zr]?|n[ée]glige[zr]?)\s+(?:toutes\s+)?(?:les|vos|tes|ces)\s+(?:\S+\s+){0,2}?(?:instructions|consignes|r[èe]gles|directives)\b`) },
  { intent: "dictates the verdict", pattern: re(String.raw`\b(?:marque[zr]?|consid[èée]re[zr]?|classe[zr]?)\s+ce\s+(?:fichier|code)\s+comme\s+(?:s[ûu]r|approuv[ée]|valide|correct|propre|conforme)\b|\bapprouve[zr]?\s+ce\s+(?:fichier|code|changement)\b|\ble\s+verdict\s+(?:doit\s+[êe]tre|est)\s+["'\x60]?pass\b`) },
  { intent: "tells the reviewer to hide findings", pattern: re(String.raw`\bne\s+(?:signale[zr]?|rapporte[zr]?|mentionne[zr]?)\s+(?:aucun(?:e)?|pas\s+(?:les|de))\s+(?:probl[èe]mes?|erreurs?|failles?|vuln[ée]rabilit[ée]s?|anomalies?)\b`) },
  { intent: "gives the reviewer a new role", pattern: re(String.raw`\b(?:tu\s+es|vous\s+[êe]tes)\s+maintenant\s+(?:un|une)\s+(?:\S+\s+){0,2}?(?:relecteur|r[ée]viseur|auditeur|assistant|mod[èe]le|ia|bot)\b`) },
  // German
  { intent: "tells the reviewer to drop its instructions", pattern: re(String.raw`\b(?:ignoriere|ignorieren\s+sie|vergiss|vergessen\s+sie|missachte)\s+(?:\S+\s+){0,3}?(?:anweisungen|instruktionen|regeln|vorgaben|richtlinien)\b`) },
  { intent: "dictates the verdict", pattern: re(String.raw`\b(?:markiere|markieren\s+sie|bewerte|bewerten\s+sie|stufe)\s+(?:diese|den|die|das)\s+(?:datei|code|quellcode|modul)\s+als\s+(?:sicher|bestanden|korrekt|genehmigt|fehlerfrei|unbedenklich)\b|\bgenehmige\s+(?:diese|den)\s+(?:datei|code|[äa]nderung)\b|\bdas\s+urteil\s+(?:muss|soll)\s+["'\x60]?pass\b`) },
  { intent: "tells the reviewer to hide findings", pattern: re(String.raw`\b(?:melde|meldet|berichte|erw[äa]hne|nenne)\s+(?:keine|keinerlei)\s+(?:fehler|probleme|befunde|schwachstellen|m[äa]ngel)\b`) },
  { intent: "gives the reviewer a new role", pattern: re(String.raw`\bdu\s+bist\s+(?:jetzt|nun|ab\s+sofort)\s+(?:ein|eine)\s+(?:\S+\s+){0,2}?(?:\S*pr[üu]fer|\S*gutachter|assistent|modell|ki|bot)\b`) },
  // Russian
  { intent: "tells the reviewer to drop its instructions", pattern: re(String.raw`(?:игнорируй(?:те)?|проигнорируй(?:те)?|забудь(?:те)?|не\s+обращай(?:те)?\s+внимания\s+на)\s+(?:\S+\s+){0,3}?(?:инструкци\S*|указани\S*|правил\S*)`) },
  { intent: "dictates the verdict", pattern: re(String.raw`(?:отметь(?:те)?|пометь(?:те)?|считай(?:те)?|оцени(?:те)?)\s+(?:этот\s+)?(?:файл|код)\s+как\s+(?:безопасн\S*|проверенн\S*|корректн\S*|чист\S*|одобренн\S*)|одобри(?:те)?\s+(?:этот\s+)?(?:файл|код)|вердикт\s+(?:должен\s+быть|[-—:=])\s*["'\x60]?pass\b`) },
  { intent: "tells the reviewer to hide findings", pattern: re(String.raw`не\s+(?:сообщай(?:те)?|упоминай(?:те)?|отмечай(?:те)?|указывай(?:те)?)\s+(?:\S+\s+){0,2}?(?:ошибк\S*|проблем\S*|уязвимост\S*|замечани\S*)`) },
  { intent: "gives the reviewer a new role", pattern: re(String.raw`(?:теперь\s+ты|ты\s+теперь)\s+(?:\S+\s+){0,2}?(?:ревьюер\S*|рецензент\S*|ассистент\S*|модел\S*|помощник\S*|аудитор\S*|бот\S*|ИИ)`) },
  // Chinese (simplified and traditional)
  { intent: "tells the reviewer to drop its instructions", pattern: re(String.raw`(?:忽略|忽視|忽视|无视|無視|忘记|忘記|不要理会|不要理會)(?:掉)?(?:你)?(?:之前|以上|先前|前面|上面|所有|全部|原有|原来|原來)\S{0,6}?(?:指令|指示|说明|說明|规则|規則|提示)`) },
  { intent: "dictates the verdict", pattern: re(String.raw`(?:将|將|把)?(?:此|这个|這個|本|该|該)(?:文件|檔案|代码|代碼|程式碼|文檔)(?:标记|標記|评为|評為|视为|視為|判定)为?為?(?:安全|通过|通過|合格|无问题|無問題)|(?:批准|通过|通過)(?:此|这个|這個|本)(?:文件|檔案|代码|代碼)|(?:结论|結論|判定|裁决|裁決)(?:必须|必須|应该|應該)?(?:是|为|為)\s*["'\x60]?pass\b`) },
  { intent: "tells the reviewer to hide findings", pattern: re(String.raw`(?:不要|请勿|請勿|不得|别|別)(?:报告|報告|提及|指出|标记|標記|列出)(?:任何)?\S{0,4}?(?:问题|問題|错误|錯誤|漏洞|缺陷|发现|發現)`) },
  { intent: "gives the reviewer a new role", pattern: re(String.raw`(?:你现在是|你現在是|从现在开始你是|從現在開始你是)\S{0,10}?(?:审查|審查|审核|審核|助手|AI|模型|审计|審計)`) },
  // Japanese
  { intent: "tells the reviewer to drop its instructions", pattern: re(String.raw`(?:以前|前|上記|これまで|すべて|全て)の(?:すべての|全ての)?(?:指示|命令|ルール|プロンプト)を(?:無視|忘れ)`) },
  { intent: "dictates the verdict", pattern: re(String.raw`この(?:ファイル|コード)を(?:安全|合格|承認済み|問題なし)(?:として|と)(?:マーク|判定|報告|評価|記録)|この(?:ファイル|コード)を承認して`) },
  { intent: "tells the reviewer to hide findings", pattern: re(String.raw`(?:問題|エラー|脆弱性|指摘|バグ)を(?:報告|指摘|記載)しないで`) },
  { intent: "gives the reviewer a new role", pattern: re(String.raw`あなたは(?:今|今から|これから)\S{0,12}?(?:レビュアー|レビューア|アシスタント|監査|AI|モデル)`) },
  // Korean
  { intent: "tells the reviewer to drop its instructions", pattern: re(String.raw`(?:이전|위의|앞의|모든)\S?\s*(?:모든\s*)?(?:지시|명령|지침|규칙)\S{0,2}\s*(?:무시|잊어)`) },
  { intent: "dictates the verdict", pattern: re(String.raw`이\s*(?:파일|코드)\S{0,2}\s*(?:안전|통과|승인)\S{0,4}\s*(?:표시|처리|판정)`) },
];

/**
 * The strong class: hits precise enough to raise a verdict by default (docs/SECURITY.md, "Which hits raise"). A hit is
 * strong when its text speaks to the reader in the second person — a vocative address (VOCATIVE) with an instruction
 * in the same text — or is one of the phrasings below, which are only ever said to a model reviewing this very file.
 * Everything else stays `low`: on LLM tooling the same imperatives are described ("override the … sent to the model",
 * "Claude can … delete … files"), and chat-template tokens are written by prompt renderers.
 */
export const STRONG_PHRASES: RegExp[] = [
  // Dropping its instructions, with "previous" or "above": a chat history's "ignore earlier messages" names no rules.
  re(String.raw`\b(?:ignore|disregard|forget)\s+(?:(?:all|any|the|your|of|every|these)\s+)*(?:previous|prior|above|earlier|preceding)\s+(?:instructions?|prompts?|rules|directions|directives|guidelines)\b`),
  re(String.raw`\bforget\s+(?:everything|all)\s+(?:above|you\s+(?:were|have\s+been)\s+told)\b`),
  // The reviewer's own vocabulary: a verdict of pass, this file marked safe, a new role as its reviewer.
  ...INJECTION_PHRASES.filter((p) => p.intent === "dictates the verdict" && /verdict/.test(p.pattern.source)).map((p) => p.pattern),
  re(String.raw`\b(?:mark|flag|label|classify|rate|report|score|approve)\s+this\s+(?:file|code|shard|module|change|pr|pull\s+request|diff|script|snippet)\s+as\s+(?:a\s+|an\s+)?(?:pass(?:ed|ing)?|safe|clean|secure|approved|verified|bug-?free)\b`),
  re(String.raw`\byou\s+are\s+now\s+(?:a|an|the|my)\s+${W}{0,3}?(?:reviewer|auditor)\b`),
  // A fake system turn that casts its reader as the reviewer.
  re(String.raw`(?:<\|im_start\|>\s*system|<\|start_header_id\|>\s*system|<{2}SYS>{2}|\[INST\]).{0,80}?you\s+are\s+(?:now\s+)?(?:a|an|the)\s+${W}{0,3}?(?:reviewer|auditor)\b`),
  // The other languages: marking this file safe (dropping the previous instructions: FOREIGN_PREVIOUS).
  ...FOREIGN_PHRASES.filter((p) => p.intent === "dictates the verdict").map((p) => p.pattern),
];

/**
 * "Previous" in the other languages: with one of FOREIGN_PHRASES' "drop its instructions" on the same text, as strong
 * as the English phrasing ("siga las instrucciones anteriores", follow the instructions above, has no drop verb).
 */
export const FOREIGN_PREVIOUS = re(String.raw`anteriores|previas|precedenti|pr[ée]c[ée]dentes|vorherigen|bisherigen|предыдущ|прежни|之前|以前|先前|前面|上面|上記|これまで|이전|앞의|위의`);

/**
 * A fake delimiter of the system prompt on a line of its own: strong in prose, comments and config, where only a model
 * reads it as a boundary; in a string literal or a quoted block it may be a prompt format being built or shown.
 */
export const STRONG_OUTSIDE_LITERALS: RegExp = re(String.raw`^\W*(?:end|begin)\s+(?:of\s+)?(?:the\s+)?system\s+(?:prompt|message|instructions)\W*$`);

/** A model, an AI tool or agent, or a reviewer: the noun a vocative address names. */
const READER = String.raw`(?:(?:ai|automated|autonomous|coding|code|llm|security|review)\s+(?:agents?|assistants?|reviewers?|auditors?|scanners?|tools?|bots?)|(?:large\s+)?language\s+models?|ai|a\.i\.|llms?|gpt(?:-?\d)?|chatgpt|claude|gemini|copilot|codex|assistants?|agents?|models?|bots?|(?:code\s+|security\s+)?(?:reviewers?|auditors?|scanners?))`;
/** A reader called by name: only these take a comma ("Claude, …"); "Agents, tools and memory" is a list. */
const NAMED_READER = String.raw`(?:ai|llms?|gpt(?:-?\d)?|chatgpt|claude|gemini|copilot|codex)`;
/** What a speaker label in a transcript goes on with ("Assistant: I'll run …", "AI: Sure, …"): said by it, not to it. */
const NOT_SPOKEN_BY = String.raw`(?!\s*(?:and|or|etc)\b|\s*${READER}\b)(?!\s*(?:i\b|i'(?:m|ll|ve|d)\b|we\b|sure\b|okay\b|ok\b|yes\b|no\b|here\b|certainly\b|of\s+course\b|hello\b|hi\b))`;
/**
 * Where an address starts: the line's first word (after comment, list or quote marks), the first word of a literal
 * or an aside (`"AI agent: …`, `/LLM: …/`, "(LLM reviewer: …)"), or of a sentence. A noun after other words ("… the `gpt-4` model:") is not one.
 */
const CLAUSE_START = String.raw`(?:^[^\w]*|["'“‘/(]\s*|[.!?]\s+)`;
/** Words that may follow the noun inside an address: "… reviewing this:", "… of this module:", "… reading this:". */
const AFTER_READER = String.raw`(?:\s+(?:reading|reviewing|auditing|scanning|processing|analy[sz]ing|looking\s+at|working\s+(?:on|in)|of|in|on|for)\b[^.:;!?\n]{0,30}?)?`;

/**
 * Text spoken to a model or agent: a label at the start of a line or clause ("AI reviewer:", "Agents:", `"LLM:`,
 * "Claude, …"), a greeting or note ("Dear AI,", "Hey Copilot,", "Note to the language model reviewing this:"), "if you
 * are an AI agent", "as an AI …, you", or a sentence whose subject is its reader and whose verb is `must`/`shall`.
 * Prose about models ("the model can …", "to override the … for a model") is none of these.
 */
export const VOCATIVE = re(
  String.raw`${CLAUSE_START}(?:(?:all|any|every)\s+)?(?:${READER}\s*[:!](?!:)|${NAMED_READER}\s*,)(?=\s*\S)${NOT_SPOKEN_BY}|\b(?:dear|hey|hi|hello|attention|(?:note|message|memo|reminder|instructions?)\s+(?:to|for))\s+(?:(?:the|any|all|every)\s+)?${READER}${AFTER_READER}\s*[:,!\u2014\u2013-]|\bif\s+you\s+are\s+(?:an?\s+)?(?:ai|automated|autonomous|llm|language\s+model|coding|code|agent|assistant|bot|reviewer|auditor|scanner|machine|program)\b|\bas\s+an?\s+(?:ai|llm|large\s+language\s+model|language\s+model|automated|artificial\s+intelligence)\b[^.,\n]{0,40},\s*(?:you|please)\b|${CLAUSE_START}(?:(?:all|any|every)\s+)?${READER}\s+(?:must|shall)\s+(?!not\b|never\b|be\b)`,
);
