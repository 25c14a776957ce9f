from nnviz.cli import main

raise SystemExit(main())
