from nnviz.cli import main

# Guarded: the convergence explorer's worker processes import the main module again.
if __name__ == "__main__":
    raise SystemExit(main())
