"""Called by scripts/corpus/secrets-extract.ts with a detect-secrets checkout as argv[1]: prints one JSON line per
test case of tests/plugins/*_test.py, with the secrets detect-secrets' own plugins extract from it."""
import importlib, inspect, json, os, re, sys

root = sys.argv[1]
sys.path.insert(0, root)
os.chdir(root)
from detect_secrets.settings import default_settings  # noqa: E402

TEXT_ARGS = ("payload", "line")
EXPECT_ARGS = ("should_flag", "expected_secret")


def cases_of(module):
    """(listname, [(text, expected)]) for each parametrized test whose arguments name a payload and what it should give."""
    seen = []
    for name, obj in vars(module).items():
        targets = [obj] + ([m for _, m in inspect.getmembers(obj, inspect.isfunction)] if inspect.isclass(obj) else [])
        for fn in targets:
            for mark in getattr(fn, "pytestmark", []):
                if mark.name != "parametrize" or len(mark.args) < 2:
                    continue
                argnames = [a.strip() for a in mark.args[0].split(",")] if isinstance(mark.args[0], str) else list(mark.args[0])
                text = next((argnames.index(a) for a in TEXT_ARGS if a in argnames), None)
                if text is None:
                    continue
                expect = next((argnames.index(a) for a in EXPECT_ARGS if a in argnames), None)
                rows = [r if isinstance(r, tuple) else (r,) for r in mark.args[1]]
                seen.append((f"{name}.{getattr(fn, '__name__', '')}", [(r[text], r[expect] if expect is not None else True) for r in rows]))
    return seen


def plugins_of(source):
    out = []
    for mod, cls in re.findall(r"from detect_secrets\.plugins\.(\w+) import (\w+)", source):
        if mod == "base":
            continue
        out.append(getattr(importlib.import_module(f"detect_secrets.plugins.{mod}"), cls))
    return out

def whole_token(text, value):
    """Some plugins report only the prefix their regex captured (`glpat`, `ghp`): the token is the run it starts."""
    at = text.find(value)
    if at < 0:
        return value
    m = re.compile(r"[A-Za-z0-9_\-]*").match(text, at + len(value))
    return value + m.group(0) if value.isalpha() and len(value) < 8 else value


for file in sorted(os.listdir("tests/plugins")):
    if not file.endswith("_test.py") or file == "base_test.py":
        continue
    source = open(os.path.join("tests/plugins", file)).read()
    try:
        module = importlib.import_module(f"tests.plugins.{file[:-3]}")
    except Exception as e:  # a test module whose test-only imports are missing here
        print(json.dumps({"skip": file, "why": repr(e)}), file=sys.stderr)
        continue
    plugins = plugins_of(source)
    for listname, rows in cases_of(module):
        for text, expected in rows:
            if not isinstance(text, str):
                continue
            found = []
            with default_settings():
                for plugin in plugins:
                    try:
                        p = plugin()
                    except TypeError:
                        continue
                    for s in p.analyze_line(filename="mock_filename.py", line=text, line_number=1):
                        if s.secret_value:
                            found.append(whole_token(text, s.secret_value.strip()))
            print(json.dumps({"rule": f"{file[:-3]}:{listname}", "text": text, "expected": expected if isinstance(expected, (str, bool)) or expected is None else str(expected), "secrets": sorted(set(found))}))
