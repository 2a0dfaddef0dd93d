# The two commands a newcomer needs. Both install what is missing first.
.PHONY: run test tools screenshots manifests
export CARGO_TARGET_DIR ?= $(HOME)/.cache/project-central/target

run:  ## build and start Project Central (+ sandbox) at http://127.0.0.1:3000
	bash scripts/run.sh

test: ## every test: unit, integration (SQLite + PostgreSQL), end-to-end in Chromium
	bash scripts/test.sh

tools: ## only install the build and test tools
	bash scripts/install-tools.sh

screenshots: ## regenerate the Marketplace logos and screenshots in docs/marketplace/
	bash scripts/screenshots.sh

manifests: ## write the manifests to submit (PUBLIC_BASE_URL and SUPPORT_EMAIL replace the placeholders)
	python3 scripts/manifests.py
