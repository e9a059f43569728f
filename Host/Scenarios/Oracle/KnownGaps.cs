using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DaxHolder.Scenarios.Oracle;

/// <summary>
/// A difference between the model and a recorded real outcome that is known and explained:
/// which kernel, scenario, cell, step and aspect it covers (an absent field matches any) and
/// why the model differs. <c>daxholder conform</c> still prints it, but does not fail on it.
/// The cell is either the whole cell as conform prints it ("path=value path=value"), or
/// <see cref="CellAxes"/>: the matrix axes that must have these values, the rest free.
/// </summary>
internal sealed record KnownGap(string? Kernel, string? Scenario, string? Cell, int? Step, string? Aspect, string Reason)
{
    /// <summary>Axes (path → value) a cell must have for the gap to cover it; empty when <see cref="Cell"/> names the cell whole.</summary>
    public IReadOnlyDictionary<string, string> CellAxes { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Whether a problem of the recorded run itself (a timeout, a guest that did not finish) is
    /// explained: only by a gap that names no step and no aspect, or the aspect "run problem", and
    /// matches the kernel, scenario and cell, as a real kernel that hangs is listed.
    /// </summary>
    public bool CoversProblem(string kernel, CellOutcome real) =>
        (Kernel is null || Kernel == kernel)
        && (Scenario is null || Scenario == real.Scenario)
        && (Cell is null || Cell == real.CellName)
        && CellAxes.All(axis => real.Cell.Any(s => s.Path == axis.Key && s.Value == axis.Value))
        && Step is null
        && (Aspect is null || Aspect == RunProblem);

    /// <summary>The aspect a gap names to explain only a recorded run's problems.</summary>
    public const string RunProblem = "run problem";

    public bool Covers(string kernel, CellOutcome real, OutcomeDifference difference) =>
        (Kernel is null || Kernel == kernel)
        && (Scenario is null || Scenario == real.Scenario)
        && (Cell is null || Cell == real.CellName)
        && CellAxes.All(axis => real.Cell.Any(s => s.Path == axis.Key && s.Value == axis.Value))
        && (Step is null || Step == difference.Step)
        && (Aspect is null || Aspect == difference.Aspect);

    /// <summary>
    /// Reads <c>known-gaps.yaml</c>: <c>gaps:</c>, a list of maps with <c>reason</c> (required) and
    /// any of <c>kernel</c>, <c>scenario</c>, <c>cell</c> (a string: the whole cell; or a mapping of
    /// axis paths to values), <c>step</c>, <c>aspect</c>. A missing file is no gaps.
    /// </summary>
    public static IReadOnlyList<KnownGap> Load(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(File.ReadAllText(path)));
        }
        catch (YamlException e)
        {
            throw new FormatException($"{path}:{e.Start.Line}:{e.Start.Column}: {e.Message}", e);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root
            || !root.Children.TryGetValue(new YamlScalarNode("gaps"), out var list) || list is not YamlSequenceNode gaps)
        {
            throw new FormatException($"{path}: a known-gaps file is a mapping with a 'gaps' list");
        }

        var result = new List<KnownGap>();
        foreach (var node in gaps.Children)
        {
            if (node is not YamlMappingNode map)
            {
                throw new FormatException($"{path}:{node.Start.Line}:{node.Start.Column}: each gap is a mapping");
            }

            string? Get(string key) => map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? (v as YamlScalarNode)?.Value : null;
            var reason = Get("reason");
            if (string.IsNullOrWhiteSpace(reason))
            {
                throw new FormatException($"{path}:{map.Start.Line}:{map.Start.Column}: a gap needs a reason");
            }

            var stepText = Get("step");
            int? step = stepText is null ? null
                : int.TryParse(stepText, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n
                : throw new FormatException($"{path}:{map.Start.Line}:{map.Start.Column}: step '{stepText}' is not a number");
            var aspect = Get("aspect");
            if (aspect is not null && !OutcomeComparison.Aspects.Contains(aspect))
            {
                throw new FormatException($"{path}:{map.Start.Line}:{map.Start.Column}: aspect '{aspect}' is not one of {string.Join(", ", OutcomeComparison.Aspects)}");
            }

            var axes = new Dictionary<string, string>(StringComparer.Ordinal);
            if (map.Children.TryGetValue(new YamlScalarNode("cell"), out var cellNode) && cellNode is YamlMappingNode cellMap)
            {
                foreach (var (key, value) in cellMap.Children)
                {
                    if (key is not YamlScalarNode { Value: { } axis } || value is not YamlScalarNode { Value: { } v })
                    {
                        throw new FormatException($"{path}:{key.Start.Line}:{key.Start.Column}: a gap's cell maps axis paths to values");
                    }

                    axes[axis] = v;
                }
            }

            result.Add(new KnownGap(Get("kernel"), Get("scenario"), Get("cell"), step, aspect, reason) { CellAxes = axes });
        }

        return result;
    }
}
