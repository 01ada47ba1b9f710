"""nbgrader's submit for the hub: the submission folder in the exchange stays its student's alone.

nbgrader leaves each submission folder in ``inbound/`` mode 0777 (so that an instructor can
delete it), protected only by its unguessable name: anyone who learned the name could delete or
replace the files inside before collection. Here it is 0755 like the files' 0644: readable by the
instructor's ``collect``, writable by its student only. Set in the student environment's
nbgrader_config.py as ``c.ExchangeFactory.submit``.
"""

import os

from nbgrader.exchange.default.submit import ExchangeSubmit


class PrivateSubmit(ExchangeSubmit):
    def copy_files(self):
        super().copy_files()
        os.chmod(os.path.join(self.inbound_path, self.assignment_filename), 0o755)
