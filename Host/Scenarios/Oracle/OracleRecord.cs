using System.Globalization;
using System.Text;
using System.Text.Json;
using DaxHolder.Scenarios.Language;

namespace DaxHolder.Scenarios.Oracle;

/// <summary>
/// A real outcome on disk (<c>daxholder oracle record</c>), read back by <c>daxholder conform</c>:
/// JSON with a <c>schemaVersion</c>, the scenario file it came from, the kernel and release, the
/// cell, and each step's result, signals (64-bit offsets as "0x…" strings), exits and kernel log.
/// Written atomically: a temporary file in the same folder, then a rename.
/// </summary>
internal static class OracleRecord
{
    /// <summary>The version of the record's layout; a reader refuses others.</summary>
    public const int SchemaVersion = 1;

    /// <summary>
    /// The file name of a cell's record: the scenario file's folder (unless it is the corpus root,
    /// scenarios/: two scenarios in different folders may share a name), the scenario's name, then
    /// each cell value ("xfstests.xfs-550.reflink-0.json", "demo.json").
    /// </summary>
    public static string FileName(CellOutcome outcome, string scenarioFile)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var folder = Path.GetFileName(Path.GetDirectoryName(scenarioFile.Replace('\\', '/')) ?? "");
        var prefix = folder is "" or "scenarios" or "." ? [] : new[] { folder };
        var parts = prefix.Append(outcome.Scenario).Concat(outcome.Cell.Select(s => $"{s.Path.Split('.')[^1]}-{s.Value}"));
        var name = string.Join('.', parts);
        return new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '_').ToArray()) + ".json";
    }

    /// <summary>The record as JSON text (indented, keys in a fixed order, a final newline).</summary>
    public static string ToJson(CellOutcome outcome, string scenarioFile)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", SchemaVersion);
            w.WriteString("scenario", outcome.Scenario);
            w.WriteString("scenarioFile", scenarioFile.Replace('\\', '/'));
            w.WriteString("kernel", outcome.Kernel);
            w.WriteString("release", outcome.Release);
            w.WriteStartObject("cell");
            foreach (var s in outcome.Cell)
            {
                w.WriteString(s.Path, s.Value);
            }

            w.WriteEndObject();
            w.WriteStartObject("pids");
            foreach (var (task, pid) in outcome.Pids.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WriteNumber(task, pid);
            }

            w.WriteEndObject();
            Strings(w, "setup", outcome.Setup);
            Strings(w, "problems", outcome.Problems);
            w.WriteStartArray("steps");
            foreach (var step in outcome.Steps)
            {
                w.WriteStartObject();
                w.WriteNumber("number", step.Number);
                w.WriteString("kind", step.Kind);
                if (step.Result is null)
                {
                    w.WriteNull("result");
                }
                else
                {
                    w.WriteString("result", step.Result);
                }

                w.WriteStartArray("signals");
                foreach (var s in step.Signals)
                {
                    w.WriteStartObject();
                    w.WriteString("task", s.Task);
                    w.WriteString("signal", s.Signal);
                    w.WriteString("siCode", s.Code);
                    w.WriteNumber("siAddrLsb", s.Lsb);
                    w.WriteString("map", s.Map);
                    w.WriteString("offset", $"0x{s.Offset:x}");
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteStartArray("exits");
                foreach (var e in step.Exits)
                {
                    w.WriteStartObject();
                    w.WriteString("task", e.Task);
                    w.WriteString("how", e.How);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                Strings(w, "log", step.Log);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>Writes the record into <paramref name="folder"/> atomically; returns its path.</summary>
    public static string Write(string folder, CellOutcome outcome, string scenarioFile)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, FileName(outcome, scenarioFile));
        var temp = Path.Combine(folder, "." + Path.GetFileName(path) + ".tmp");
        File.WriteAllText(temp, ToJson(outcome, scenarioFile));
        File.Move(temp, path, overwrite: true);
        return path;
    }

    /// <summary>Reads a record; a wrong schema version or a malformed file is a <see cref="FormatException"/> naming the file.</summary>
    public static (CellOutcome Outcome, string ScenarioFile) Read(string path, string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            var version = root.GetProperty("schemaVersion").GetInt32();
            if (version != SchemaVersion)
            {
                throw new FormatException($"{path}: schemaVersion {version} is not {SchemaVersion}, the version this daxholder reads");
            }

            var cell = root.GetProperty("cell").EnumerateObject().Select(p => new ScenarioSetting(p.Name, p.Value.GetString() ?? "")).ToList();
            var pids = root.GetProperty("pids").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32(), StringComparer.Ordinal);
            var steps = root.GetProperty("steps").EnumerateArray().Select(s => new StepOutcome(
                s.GetProperty("number").GetInt32(),
                s.GetProperty("kind").GetString() ?? "",
                s.GetProperty("result").ValueKind == JsonValueKind.Null ? null : s.GetProperty("result").GetString(),
                s.GetProperty("signals").EnumerateArray().Select(g => new SignalSeen(
                    g.GetProperty("task").GetString() ?? "", g.GetProperty("signal").GetString() ?? "", g.GetProperty("siCode").GetString() ?? "",
                    g.GetProperty("siAddrLsb").GetInt32(), g.GetProperty("map").GetString() ?? "", Hex(g.GetProperty("offset").GetString()))).ToList(),
                s.GetProperty("exits").EnumerateArray().Select(e => new TaskExit(e.GetProperty("task").GetString() ?? "", e.GetProperty("how").GetString() ?? "")).ToList(),
                s.GetProperty("log").EnumerateArray().Select(l => l.GetString() ?? "").ToList())).ToList();
            var outcome = new CellOutcome(root.GetProperty("scenario").GetString() ?? "", root.GetProperty("kernel").GetString() ?? "", root.GetProperty("release").GetString() ?? "", cell, steps)
            {
                Pids = pids,
                Setup = root.GetProperty("setup").EnumerateArray().Select(l => l.GetString() ?? "").ToList(),
                Problems = root.GetProperty("problems").EnumerateArray().Select(l => l.GetString() ?? "").ToList(),
            };
            return (outcome, root.GetProperty("scenarioFile").GetString() ?? "");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"{path}: not an oracle record: {e.Message}", e);
        }
    }

    private static ulong Hex(string? text) =>
        text is not null && text.StartsWith("0x", StringComparison.Ordinal) && ulong.TryParse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new FormatException($"'{text}' is not a 0x-prefixed hex string");

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }
}
