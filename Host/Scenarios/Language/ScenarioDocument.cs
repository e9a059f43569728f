using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DaxHolder.Scenarios.Language;

/// <summary>A value set on a scenario from outside it: --set, --kernel, --vary, or a cell of its matrix.</summary>
internal sealed record ScenarioSetting(string Path, string Value)
{
    /// <summary>Whether the value is written in the scenario's own matrix (errors then point at it there).</summary>
    public bool FromMatrix { get; init; }

    public override string ToString() => $"{Path}={Value}";

    /// <summary>Parses "path=value" as the command line gives it.</summary>
    public static ScenarioSetting Parse(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new FormatException($"'{text}' is not path=value");
        }

        return new ScenarioSetting(text[..eq].Trim(), text[(eq + 1)..].Trim());
    }
}

/// <summary>One axis of a matrix: a path and the values it takes, in order.</summary>
internal sealed record MatrixAxis(string Path, IReadOnlyList<string> Values)
{
    /// <summary>Whether the axis is the scenario's own (not added by --vary).</summary>
    public bool InFile { get; init; }
}

/// <summary>
/// A scenario file as read: its text, its name and its declared matrix. Each cell is bound on a
/// fresh parse with the cell's settings applied to the YAML tree, so a setting is checked exactly
/// as if it had been written in the file.
/// </summary>
internal sealed class ScenarioDocument
{
    private readonly string text;
    private SourceLocation? matrixAt;
    private string? fileSystemType;

    private ScenarioDocument(string file, string text, IReadOnlyList<MatrixAxis> matrix, string name)
    {
        File = file;
        this.text = text;
        Matrix = matrix;
        Name = name;
    }

    /// <summary>The file as the user named it.</summary>
    public string File { get; }

    /// <summary>The scenario's name: its <c>name</c> field, else the file name without extension.</summary>
    public string Name { get; }

    /// <summary>The matrix the scenario declares (empty: a single cell).</summary>
    public IReadOnlyList<MatrixAxis> Matrix { get; }

    /// <summary>Reads (strict UTF-8, within <see cref="ScenarioLimits"/>) and checks the YAML syntax of a scenario file.</summary>
    public static ScenarioDocument Load(string file) => FromText(file, ScenarioText.Read(file));

    /// <summary>A scenario from text (the demo, tests), <paramref name="file"/> naming it in errors.</summary>
    public static ScenarioDocument FromText(string file, string text)
    {
        ScenarioText.CheckText(file, text);
        var root = ParseYaml(file, text);
        var map = new YamlMap(root, file, "");
        var matrix = new List<MatrixAxis>();
        if (map.Map("matrix") is { } axes)
        {
            foreach (var path in axes.Keys.ToList())
            {
                var values = axes.Strings(path);
                if (values.Count == 0)
                {
                    throw new ScenarioException(axes.At(path), "a matrix axis needs at least one value");
                }

                matrix.Add(new MatrixAxis(path, values) { InFile = true });
            }
        }

        var name = map.String("name") ?? Path.GetFileNameWithoutExtension(file);
        return new ScenarioDocument(file, text, matrix, name) { matrixAt = map.At("matrix"), fileSystemType = ValueAt(root, FileSystemTypePath) };
    }

    /// <summary>
    /// The cells to run: the declared matrix with <paramref name="vary"/> axes added (an axis of the
    /// same path replaced) and the axes <paramref name="pinned"/> by --set removed; each cell is the
    /// settings in axis order, then the pinned ones.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<ScenarioSetting>> Cells(IReadOnlyList<ScenarioSetting> pinned, IReadOnlyList<MatrixAxis>? vary = null)
    {
        var axes = Matrix.ToList();
        foreach (var axis in vary ?? [])
        {
            var i = axes.FindIndex(a => a.Path == axis.Path);
            if (i >= 0)
            {
                axes[i] = axis;
            }
            else
            {
                axes.Add(axis);
            }
        }

        axes.RemoveAll(a => pinned.Any(p => p.Path == a.Path));
        var count = axes.Aggregate(1L, (n, axis) => Math.Min(n * Math.Max(axis.Values.Count, 1), ScenarioLimits.MatrixCells + 1L));
        if (count > ScenarioLimits.MatrixCells)
        {
            throw new ScenarioException(matrixAt ?? new SourceLocation(File, 1, 1, "matrix"),
                $"the matrix has more than {ScenarioLimits.Count(ScenarioLimits.MatrixCells)} cells ({string.Join(" x ", axes.Select(a => a.Values.Count))})");
        }

        IReadOnlyList<IReadOnlyList<ScenarioSetting>> cells = [[]];
        foreach (var axis in axes)
        {
            cells = cells.SelectMany(cell => axis.Values.Select(v => (IReadOnlyList<ScenarioSetting>)[.. cell, new ScenarioSetting(axis.Path, v) { FromMatrix = axis.InFile }])).ToList();
        }

        return cells.Select(cell => (IReadOnlyList<ScenarioSetting>)[.. cell, .. pinned]).ToList();
    }

    /// <summary>The path of a scenario's filesystem type.</summary>
    public const string FileSystemTypePath = "filesystem.type";

    /// <summary>
    /// The filesystem types <paramref name="cells"/> use, read from the file and each cell's
    /// settings without binding them (so without the errors binding reports later), for loading
    /// only the plugins that provide them. Null when a setting replaces a node above
    /// <c>filesystem.type</c> and the type cannot be told without binding.
    /// </summary>
    public IReadOnlySet<string>? FileSystemTypes(IEnumerable<IReadOnlyList<ScenarioSetting>> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var types = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cell in cells)
        {
            var type = fileSystemType;
            foreach (var setting in cell)
            {
                if (setting.Path == FileSystemTypePath)
                {
                    type = setting.Value;
                }
                else if (FileSystemTypePath.StartsWith(setting.Path + ".", StringComparison.Ordinal))
                {
                    return null;
                }
            }

            if (!string.IsNullOrEmpty(type))
            {
                types.Add(type);
            }
        }

        return types;
    }

    /// <summary>The scenario as one cell sees it.</summary>
    public Scenario Bind(IReadOnlyList<ScenarioSetting> settings)
    {
        var root = ParseYaml(File, text);
        foreach (var setting in settings)
        {
            Apply(root, setting);
        }

        return new ScenarioParser(File, root).Parse();
    }

    /// <summary>The value at a dotted path of a YAML tree as a string, or null.</summary>
    public static string? ValueAt(YamlNode root, string path)
    {
        YamlNode? node = root;
        foreach (var segment in path.Split('.'))
        {
            node = node switch
            {
                YamlMappingNode map => map.Children.TryGetValue(new YamlScalarNode(segment), out var child) ? child : null,
                YamlSequenceNode seq when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < seq.Children.Count => seq.Children[i],
                _ => null,
            };
        }

        return (node as YamlScalarNode)?.Value;
    }

    private void Apply(YamlMappingNode root, ScenarioSetting setting)
    {
        // A value of the scenario's own matrix is the node written there, so errors point at it.
        var written = setting.FromMatrix ? MatrixValue(root, setting) : null;
        var where = written is var (axisKey, _)
            ? new SourceLocation(File, (int)axisKey.Start.Line, (int)axisKey.Start.Column, "matrix." + setting.Path)
            : new SourceLocation(File, 0, 0, setting.Path);
        YamlScalarNode value = written?.Value ?? new YamlScalarNode(setting.Value);
        var mark = written?.Key.Start;
        var segments = setting.Path.Split('.');
        if (segments.Any(s => s.Length == 0))
        {
            throw new ScenarioException(where, $"'{setting.Path}' is not a dotted path (e.g. filesystem.mkfs.reflink)");
        }

        if (segments[0] == "matrix")
        {
            throw new ScenarioException(where, "the matrix itself cannot be set; use --vary");
        }

        YamlNode node = root;
        for (var i = 0; i < segments.Length; i++)
        {
            var last = i == segments.Length - 1;
            switch (node)
            {
                case YamlMappingNode map:
                    var key = mark is { } m ? LocatedNodes.Scalar(segments[i], m) : new YamlScalarNode(segments[i]);
                    if (last)
                    {
                        map.Children[key] = value;
                    }
                    else if (!map.Children.TryGetValue(key, out var child) || child is YamlScalarNode { Value: null or "" })
                    {
                        child = mark is { } here ? LocatedNodes.Mapping(here) : new YamlMappingNode();
                        map.Children[key] = child;
                        node = child;
                    }
                    else
                    {
                        node = child;
                    }

                    break;
                case YamlSequenceNode seq when int.TryParse(segments[i], NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < seq.Children.Count:
                    if (last)
                    {
                        seq.Children[index] = value;
                    }
                    else
                    {
                        node = seq.Children[index];
                    }

                    break;
                default:
                    var at = string.Join('.', segments.Take(i));
                    throw new ScenarioException(where, $"'{at}' is {(node is YamlSequenceNode ? "a list: index it with a number in range" : "a single value, not a mapping: write it as a mapping in the scenario to set a field inside it")}");
            }
        }
    }

    /// <summary>The key of a matrix axis and the value node written for <paramref name="setting"/>, if found.</summary>
    private static (YamlScalarNode Key, YamlScalarNode Value)? MatrixValue(YamlMappingNode root, ScenarioSetting setting)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode("matrix"), out var matrix) || matrix is not YamlMappingNode axes)
        {
            return null;
        }

        foreach (var (key, values) in axes.Children)
        {
            if (key is YamlScalarNode k && k.Value == setting.Path)
            {
                var nodes = values is YamlSequenceNode seq ? seq.Children : [values];
                return nodes.OfType<YamlScalarNode>().FirstOrDefault(n => n.Value == setting.Value) is { } v ? (k, v) : null;
            }
        }

        return null;
    }

    /// <summary>
    /// The YAML tree of <paramref name="text"/>, read through <see cref="CheckedYamlParser"/> (the
    /// limits). Whatever YamlDotNet throws becomes a located error: its own position when it gives
    /// one, else where the last event it read starts.
    /// </summary>
    private static YamlMappingNode ParseYaml(string file, string text)
    {
        var stream = new YamlStream();
        var parser = new CheckedYamlParser(file, new Parser(new StringReader(text)));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            var problem = string.Join(' ', (e.InnerException?.Message ?? e.Message).Split(' ', StringSplitOptions.RemoveEmptyEntries));
            var where = e.Start.Index > 0 || e.Start.Line > 1 || parser.Current is null
                ? new SourceLocation(file, (int)Math.Max(1, e.Start.Line), (int)Math.Max(1, e.Start.Column), "(syntax)")
                : parser.After("(syntax)");
            throw new ScenarioException(where, problem);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's parser gives up this way when the text ends inside an open structure.
            var lines = text.Split('\n').Length;
            throw new ScenarioException(new SourceLocation(file, lines, 1, "(syntax)"), "the YAML ends inside an unclosed [ ] or { }");
        }
        catch (ArgumentException e)
        {
            // The representation model meets an event it does not build a node from.
            throw new ScenarioException(parser.Here(parser.CurrentPath), $"YAML that does not make a node here ({(parser.Current?.GetType().Name ?? "no event")}: {e.Message.TrimEnd('.')})");
        }

        if (stream.Documents.Count == 0)
        {
            throw new ScenarioException(new SourceLocation(file, 1, 1, "(document)"), "no YAML document (the file is empty or only comments): a scenario is one YAML document whose top level is a mapping");
        }

        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode;
            throw new ScenarioException(new SourceLocation(file, (int)second.Start.Line, (int)second.Start.Column, "(document)"), "a second YAML document: a scenario is one YAML document whose top level is a mapping");
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            var node = stream.Documents[0].RootNode;
            throw new ScenarioException(new SourceLocation(file, (int)node.Start.Line, (int)node.Start.Column, "(document)"), $"the top level is {(node is YamlSequenceNode ? "a list" : "a single value")}: a scenario is one YAML document whose top level is a mapping");
        }

        return root;
    }
}
