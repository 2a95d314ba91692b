/**
 * The phrasings of text that speaks to the reviewing model instead of describing the code: each a pattern and what it
 * tries to do. Case-insensitive; words may be separated by any whitespace. Kept to imperative, reviewer-directed forms so
 * that code and docs which merely talk about prompts, verdicts or reviews do not match.
 */

/** The rule id of an injection finding (findings.rule); the score stage reads it without loading the checker. */
export const INJECTION_RULE = "prompt-injection";

export interface InjectionPhrase {
  /** What the text tries to make the reviewer do, for the finding's title. */
  intent: string;
  pattern: RegExp;
}

const W = String.raw`(?:[\w'-]+\s+)`;
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
    pattern: re(String.raw`\b(?:dear|hey|attention|(?:note|message|instructions?)\s+(?:to|for)(?:\s+the|\s+any)?)\s+(?:ai|llm|gpt|claude|chatgpt|language\s+model|(?:automated|llm)\s+(?:code\s+)?(?:reviewers?|auditors?|assistants?))\b`),
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
      String.raw`\b(?:do\s+not|don't|dont|never|must\s+not|should\s+not)\s+(?:report|flag|mention|raise|list|include|penalize|surface)\s+(?:(?:any|the|this|these|that|those|its|such)\s+)?${W}{0,2}?(?:findings?|vulnerabilit(?:y|ies))\b`,
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
  { intent: "imitates the chat format", pattern: re(String.raw`<\|im_start\|>\s*(?:system|assistant|user)\b|<\|start_header_id\|>\s*(?:system|assistant)\b|\[INST\]|<{2}SYS>{2}`) },
];
