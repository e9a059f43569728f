using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Running;

namespace DaxHolder.Scenarios.Oracle;

/// <summary>
/// One recorded case held against the model; when it could not be compared, why, and whether
/// that is an error (a missing scenario, a plugin fault) or expected (a kernel the model has no profile for).
/// </summary>
internal sealed record ConformCase(string Kernel, string RecordFile, CellOutcome Real, ComparisonResult? Comparison, string? Error, bool ErrorFails = true);

/// <summary>
/// <c>daxholder conform [DIR]</c>: for each record under DIR/&lt;kernel&gt;/*.json, the model runs
/// the same scenario cell on the kernel's profile and is compared item by item with the record.
/// The scenario file named in the record is found relative to the current directory, else
/// relative to DIR's parent (the repository when DIR is its conformance/).
/// </summary>
internal static class Conformance
{
    /// <summary>Reads every record under <paramref name="folder"/> and runs the model on each.</summary>
    public static IReadOnlyList<ConformCase> Check(string folder, PluginSet plugins) => Check(Read(folder), plugins);

    /// <summary>
    /// Every record under <paramref name="folder"/> with its scenario loaded, before any model
    /// runs: what plugins they need is known from them (<see cref="FileSystems"/>).
    /// </summary>
    public static IReadOnlyList<ConformRecord> Read(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new OracleException($"no conformance folder {folder}: record one with daxholder oracle record SCENARIO --kernel K -o {folder}");
        }

        var records = new List<ConformRecord>();
        foreach (var kernelDir in Directory.GetDirectories(folder).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(kernelDir);
            var kernel = OracleKernel.Find(name);
            foreach (var file in Directory.GetFiles(kernelDir, "*.json").Order(StringComparer.Ordinal))
            {
                var (real, scenarioFile) = OracleRecord.Read(file, File.ReadAllText(file));
                if (kernel?.ModelProfile is null)
                {
                    records.Add(new ConformRecord(name, file, real, null, [], $"the model has no profile for kernel {name}", ErrorFails: false));
                    continue;
                }

                var path = new[] { scenarioFile, Path.Combine(folder, "..", scenarioFile) }.FirstOrDefault(File.Exists);
                if (path is null)
                {
                    records.Add(new ConformRecord(name, file, real, null, [], $"the scenario {scenarioFile} is not found"));
                    continue;
                }

                records.Add(new ConformRecord(name, file, real, ScenarioDocument.Load(path), [.. real.Cell, new ScenarioSetting("kernel", kernel.ModelProfile)], null));
            }
        }

        return records;
    }

    /// <summary>The filesystem types the records' scenario cells use, or null when one cannot be told.</summary>
    public static IReadOnlyCollection<string>? FileSystems(IReadOnlyList<ConformRecord> records) =>
        PluginSet.FileSystemsOf(records.Where(r => r.Document is not null).Select(r => (r.Document!, (IEnumerable<IReadOnlyList<ScenarioSetting>>)[r.Cell])));

    /// <summary>Runs the model on each record's cell and compares it item by item with the record.</summary>
    public static IReadOnlyList<ConformCase> Check(IReadOnlyList<ConformRecord> records, PluginSet plugins)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(plugins);
        var cases = new List<ConformCase>();
        foreach (var record in records)
        {
            if (record.Document is not { } document)
            {
                cases.Add(new ConformCase(record.Kernel, record.RecordFile, record.Real, null, record.Error, record.ErrorFails));
                continue;
            }

            var (model, report) = ModelPrediction.Predict(plugins.Catalog, document, record.Cell, record.Kernel);
            cases.Add(report.Fault is not null
                ? new ConformCase(record.Kernel, record.RecordFile, record.Real, null, report.Fault.ToString())
                : new ConformCase(record.Kernel, record.RecordFile, record.Real, OutcomeComparison.Compare(model, record.Real), null));
        }

        return cases;
    }
}

/// <summary>
/// One record as read, before the model runs: its kernel's name, the file, the real outcome, and
/// the scenario with the cell to run (the record's cell on the kernel's model profile), or why
/// there is none and whether that is an error.
/// </summary>
internal sealed record ConformRecord(string Kernel, string RecordFile, CellOutcome Real, ScenarioDocument? Document, IReadOnlyList<ScenarioSetting> Cell, string? Error, bool ErrorFails = true);
