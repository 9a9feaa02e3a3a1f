# The two commands of the README. Everything else is in scripts/.
.PHONY: run test train demo-reset bench-turns bench-nlu clean

run:            ## set up and run the product on local defaults (chat page on :8081)
	./scripts/run.sh

test:           ## set up and run every test
	./scripts/test.sh

train:
	./scripts/train.sh

demo-reset:     ## rebuild the demo district in the SQLite database (stop `make run` first)
	./scripts/setup.sh
	rm -f var/rasa_tracker.db var/rasa_tracker.db-wal var/rasa_tracker.db-shm
	.venv/bin/python -m storage.cli demo reset

bench-turns:
	./scripts/bench.sh turn_latency

bench-nlu:
	./scripts/bench.sh nlu_eval

clean:
	rm -rf var build models
