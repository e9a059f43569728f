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
    public static IReadOnlyList<ConformCase> Check(string folder, PluginSet plugins)
    {
        if (!Directory.Exists(folder))
        {
            throw new OracleException($"no conformance folder {folder}: record one with daxholder oracle record SCENARIO --kernel K -o {folder}");
        }

        var cases = new List<ConformCase>();
        foreach (var kernelDir in Directory.GetDirectories(folder).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(kernelDir);
            var kernel = OracleKernel.Find(name);
            foreach (var file in Directory.GetFiles(kernelDir, "*.json").Order(StringComparer.Ordinal))
            {
                var (real, scenarioFile) = OracleRecord.Read(file, File.ReadAllText(file));
                if (kernel?.ModelProfile is null)
                {
                    cases.Add(new ConformCase(name, file, real, null, $"the model has no profile for kernel {name}", ErrorFails: false));
                    continue;
                }

                var path = new[] { scenarioFile, Path.Combine(folder, "..", scenarioFile) }.FirstOrDefault(File.Exists);
                if (path is null)
                {
                    cases.Add(new ConformCase(name, file, real, null, $"the scenario {scenarioFile} is not found"));
                    continue;
                }

                var document = ScenarioDocument.Load(path);
                var (model, report) = ModelPrediction.Predict(plugins.Catalog, document, [.. real.Cell, new ScenarioSetting("kernel", kernel.ModelProfile)], name);
                cases.Add(report.Fault is not null
                    ? new ConformCase(name, file, real, null, report.Fault.ToString())
                    : new ConformCase(name, file, real, OutcomeComparison.Compare(model, real), null));
            }
        }

        return cases;
    }
}
