"""`python -m cli`: the `survey` command without its installed script."""

from cli import main

if __name__ == "__main__":  # not when a chart worker re-runs the main module
    main()
