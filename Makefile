# The two commands: `make run` (demo on http://127.0.0.1:5000) and `make test`.
# Each does all of its own set-up on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app

.PHONY: run test venv test-deps translations db demo clean extract-messages

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

venv: $(BIN)/activate
	$(BIN)/pip install --quiet -e .

test-deps: $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[test]'
	@{ command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium; } && command -v pdftoppm >/dev/null 2>&1 || \
	  { echo "Installing Debian's chromium and poppler-utils for the browser and PDF tests"; \
	    (apt-get update -qq && apt-get install -y -qq chromium fonts-dejavu-core poppler-utils) >/dev/null; }

translations: venv
	$(BIN)/python -m kuulas.i18n_tools compile

db: translations
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo --if-empty

run: venv demo
	KUULAS_ENV=development $(FLASK) run --host 127.0.0.1 --port 5000

test: test-deps translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

extract-messages: venv
	$(BIN)/python -m kuulas.i18n_tools extract

clean:
	rm -rf $(VENV) instance/kuulas.sqlite3
