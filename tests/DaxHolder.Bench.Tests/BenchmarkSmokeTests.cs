using System.Reflection;
using BenchmarkDotNet.Attributes;
using DaxHolder.Bench.Benchmarks;
using DaxHolder.Bench.Support;

namespace DaxHolder.Bench.Tests;

/// <summary>
/// Every benchmark of bench/ runs once at the smallest size, as BenchmarkDotNet would call it
/// (global set-up, iteration set-up, the body, clean-ups), so CI knows they run. No timing is
/// asserted: the benchmarks' own checks (identical decisions, successful events) throw.
/// </summary>
public sealed class BenchmarkSmokeTests
{
    public BenchmarkSmokeTests() => BenchMachines.SmokeRun = true;

    public static TheoryData<string> Benchmarks()
    {
        var data = new TheoryData<string>();
        foreach (var type in typeof(Program).Assembly.GetTypes().Where(t => t.GetMethods().Any(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null)).OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            foreach (var method in type.GetMethods().Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null).OrderBy(m => m.Name, StringComparer.Ordinal))
            {
                data.Add($"{type.Name}.{method.Name}");
            }
        }

        return data;
    }

    [Fact]
    public void EveryBenchmarkClass_IsListed()
    {
        // The six benchmarks (a)-(f) and the dispatch comparison: a benchmark dropped by mistake shows here.
        ((IEnumerable<object[]>)Benchmarks()).Select(row => (string)row[0]).ToList().ShouldBe(
        [
            "DispatchBenchmarks.Host", "DispatchBenchmarks.Kernel", "PoisonEventBenchmarks.PoisonEvent", "PreRemoveBenchmarks.PreRemove",
            "ProcessBenchmarks.ColdRunDemo", "ProcessBenchmarks.SnapshotSuite", "RmapMemoryBenchmarks.Fill", "TouchScalingBenchmarks.Touch",
        ]);
    }

    [Theory]
    [MemberData(nameof(Benchmarks))]
    public void Benchmark_RunsOnceAtTheSmallestSize(string name)
    {
        var type = typeof(Program).Assembly.GetTypes().Single(t => t.Name == name.Split('.')[0]);
        var method = type.GetMethod(name.Split('.')[1])!;
        var parameterSets = ParameterSets(type);
        foreach (var set in parameterSets)
        {
            var instance = Activator.CreateInstance(type)!;
            set?.Invoke(instance);
            Call<GlobalSetupAttribute>(instance);
            try
            {
                Call<IterationSetupAttribute>(instance);
                var result = method.Invoke(instance, null);
                result.ShouldNotBeNull();
                Call<IterationCleanupAttribute>(instance);
            }
            finally
            {
                Call<GlobalCleanupAttribute>(instance);
            }
        }
    }

    [Fact]
    public void TheReferenceMachine_IsLargerThanAScenarioFile_AndTheGeneratorStillTakesIt()
    {
        // daxholder generate refuses these options (run could not read the file); the benchmarks build the machine in memory.
        BenchMachines.Reference.LimitProblem().ShouldNotBeNull().ShouldContain("65,530 mappings");
        BenchMachines.Reference.Problem().ShouldBeNull();
    }

    [Fact]
    public void MemoryBenchmark_MeasuresRetainedBytesPerRecord()
    {
        var bench = new RmapMemoryBenchmarks { Records = 1_000 };
        bench.Fill().ShouldBe(1_000);
        RmapMemoryBenchmarks.RetainedPerRecord[1_000].ShouldBeGreaterThan(0);
    }

    /// <summary>One setter per [ParamsSource] value (or a single null when the class has none).</summary>
    private static List<Action<object>?> ParameterSets(Type type)
    {
        var property = type.GetProperties().SingleOrDefault(p => p.GetCustomAttribute<ParamsSourceAttribute>() is not null);
        if (property is null)
        {
            return [null];
        }

        var source = type.GetMethod(property.GetCustomAttribute<ParamsSourceAttribute>()!.Name)!;
        return [.. ((System.Collections.IEnumerable)source.Invoke(null, null)!).Cast<object>().Select(value => (Action<object>?)(o => property.SetValue(o, value)))];
    }

    private static void Call<TAttribute>(object instance)
        where TAttribute : Attribute
    {
        foreach (var m in instance.GetType().GetMethods().Where(m => m.GetCustomAttribute<TAttribute>() is not null))
        {
            try
            {
                m.Invoke(instance, null);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }
    }
}
