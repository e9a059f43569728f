using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel;
using DaxHolder.Kernel.Fs;
using DaxHolder.PluginLoading;
using DaxHolder.Scenarios.Reports;
using DaxHolder.Scenarios.Running;

namespace DaxHolder.Scenarios.Generating;

/// <summary>
/// A generated scenario's machine built in memory, for benchmarks: the same set-up and steps
/// <c>daxholder run</c> takes (ScenarioSetup, StepRunner, signals delivered after each step),
/// without slicing reports; the scenario's events are left for the caller to fire.
/// </summary>
internal sealed class GeneratedMachine : IDisposable
{
    private GeneratedMachine(RunState state, GeneratedScenario generated)
    {
        State = state;
        Generated = generated;
    }

    public RunState State { get; }

    public GeneratedScenario Generated { get; }

    public Machine Machine => State.Machine;

    public Mount Mount => State.Mount ?? throw new InvalidOperationException("the generated filesystem is not mounted");

    /// <summary>Boots the machine and runs set-up and every step before the first event; <paramref name="timings"/> gets the time of set-up and of each step kind.</summary>
    /// <exception cref="InvalidOperationException">Set-up or a step did not succeed (a generator bug).</exception>
    public static GeneratedMachine Build(GeneratedScenario generated, PluginCatalog catalog, IDictionary<string, TimeSpan>? timings = null)
    {
        ArgumentNullException.ThrowIfNull(generated);
        ArgumentNullException.ThrowIfNull(catalog);
        var scenario = generated.Scenario;
        var machine = PluginModules.Boot(catalog, scenario.Kernel);
        try
        {
            var state = new RunState(scenario, machine, ScenarioRunner.FindType(scenario, machine));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var (setup, _) = ScenarioSetup.Run(state);
            Add(timings, "setup", clock.Elapsed);
            if (setup != StepResult.Ok)
            {
                throw new InvalidOperationException($"generated set-up failed: {setup}");
            }

            var runner = new StepRunner(state);
            foreach (var step in scenario.Steps.TakeWhile(s => !s.IsEvent))
            {
                var started = clock.Elapsed;
                var (what, result) = runner.Run(step);
                if (result != StepResult.Ok && result != StepResult.Done)
                {
                    throw new InvalidOperationException($"generated step {what}: {result}");
                }

                machine.DeliverPendingSignals();
                Add(timings, step.Kind, clock.Elapsed - started);
            }

            return new GeneratedMachine(state, generated);
        }
        catch
        {
            machine.Dispose();
            throw;
        }
    }

    private static void Add(IDictionary<string, TimeSpan>? timings, string what, TimeSpan time)
    {
        if (timings is not null)
        {
            timings[what] = timings.TryGetValue(what, out var sum) ? sum + time : time;
        }
    }

    /// <summary>The mapping (i_pages, i_mmap) of a file, brought into core as open(2) would.</summary>
    public AddressSpace MappingOf(string path) =>
        Mount.SuperBlock.Mappings[Mount.FileSystem.Files.Lookup(path).Value];

    /// <summary>The disk offset of a file byte (an iomap report).</summary>
    public Abstractions.DeviceOffset OffsetOf(string path, Abstractions.FileOffset offset)
    {
        var ino = Mount.FileSystem.Files.Lookup(path).Value;
        var map = Mount.FileSystem.Iomap.IomapBegin(ino, offset, Abstractions.ByteLength.Page, IomapRequest.Report).Value.Map;
        return map.Address!.Value.Add(new Abstractions.ByteLength(offset.Value - map.Offset.Value));
    }

    public void Dispose() => Machine.Dispose();
}
