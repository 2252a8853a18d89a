# One Stryker mutant applied to the text of its file (.ci/mutants; docs/defects.md, "The mutation score").
# Input: a mutant {location: {start: {line, column}, end: {line, column}}, replacement}, as Stryker's JSON report
# gives it: lines and columns 1-based, the end column exclusive. --rawfile src FILE is the file's text;
# --arg mode mutate prints the file with the replacement spliced in (print it with jq -j: nothing added, nothing lost),
# --arg mode original prints the text the replacement takes the place of.
if $mode != "mutate" and $mode != "original" then error("mode must be mutate or original, not \($mode)") else . end
| ($src | split("\n")) as $lines
| .location as $at
| ($lines[$at.start.line - 1][:$at.start.column - 1]) as $head
| ($lines[$at.end.line - 1][$at.end.column - 1:]) as $tail
| if $mode == "original" then
    ($lines[$at.start.line - 1:$at.end.line] | join("\n")) as $span
    | $span[$at.start.column - 1:($span | length) - ($tail | length)]
  else
    ($lines[:$at.start.line - 1] + [$head + .replacement + $tail] + $lines[$at.end.line:]) | join("\n")
  end

