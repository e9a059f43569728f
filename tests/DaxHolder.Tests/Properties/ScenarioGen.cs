using CsCheck;

namespace DaxHolder.Tests.Properties;

/// <summary>
/// CsCheck generators of valid scenarios (<see cref="PropScenario"/>): one to four files, one to
/// four processes, up to five mappings, then touches, munmaps, exits and one to three events
/// (machine-check, access-mce, madvise-hwpoison, unbind). Every number is wrapped into range when
/// the scenario is written, so CsCheck's shrinking (smaller numbers, shorter lists) always gives a
/// valid, smaller scenario.
/// </summary>
internal static class ScenarioGen
{
    public static IReadOnlyList<string> Kernels { get; } = ["6.1", "6.12", "7.2"];

    public static Gen<PropFile> File { get; } =
        Gen.Select(Gen.Int[0, 7], Gen.Int[0, 3], Gen.Int[0, 2], (pages, clone, content) => new PropFile(pages, clone, content));

    public static Gen<PropTask> Task { get; } =
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 2], (early, sigbus) => new PropTask(early, sigbus));

    public static Gen<PropMap> Map { get; } =
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, 3], Gen.Int[0, 7], Gen.Int[0, 7], Gen.Int[0, 3],
            (task, file, first, pages, shared) => new PropMap(task, file, first, pages, shared != 0));

    /// <summary>A step before or between events: mostly touches (faults), sometimes a munmap or an exit.</summary>
    public static Gen<PropAction> Ordinary { get; } = Gen.Frequency(
        (6, Gen.Select(Gen.Int[0, 4], Gen.Int[0, 7], Gen.Int[0, 7], Gen.Int[0, 3], (m, p, n, w) => (PropAction)new TouchAction(m, p, n, w == 3))),
        (1, Gen.Int[0, 4].Select(m => (PropAction)new MunmapAction(m))),
        (1, Gen.Int[0, 3].Select(t => (PropAction)new ExitAction(t))));

    public static Gen<PropAction> Event { get; } = Gen.Frequency(
        (4, Gen.Select(Gen.Int[0, 3], Gen.Int[0, 7], (f, p) => (PropAction)new MachineCheckAction(f, p))),
        (3, Gen.Select(Gen.Int[0, 4], Gen.Int[0, 7], Gen.Bool, (m, p, w) => (PropAction)new AccessMceAction(m, p, w))),
        (3, Gen.Select(Gen.Int[0, 4], Gen.Int[0, 7], (m, p) => (PropAction)new MadviseAction(m, p))),
        (1, Gen.Const((PropAction)new UnbindAction())));

    /// <summary>Touches first (so pages are mapped), then events with more touches, munmaps and exits between them.</summary>
    public static Gen<IReadOnlyList<PropAction>> Actions { get; } =
        from first in Ordinary.Array[1, 6]
        from rounds in Gen.Select(Event, Ordinary.Array[0, 2], (e, after) => (e, after)).Array[1, 3]
        select (IReadOnlyList<PropAction>)[.. first, .. rounds.SelectMany(r => (PropAction[])[r.e, .. r.after])];

    /// <summary>A scenario on the given kernel and filesystem (null: any).</summary>
    public static Gen<PropScenario> Scenario(string? kernel = null, FsKind? fs = null) =>
        from k in kernel is null ? Gen.OneOf([.. Kernels]) : Gen.Const(kernel)
        from f in fs is null ? Gen.Enum<FsKind>() : Gen.Const(fs.Value)
        from sysctl in Gen.Int[0, 1]
        from baseIndex in Gen.Int[0, PropScenario.Bases.Count - 1]
        from files in File.Array[1, 4]
        from tasks in Task.Array[1, 4]
        from maps in Map.Array[0, 5]
        from actions in Actions
        select new PropScenario(k, f, sysctl, PropScenario.Bases[baseIndex], files, tasks, maps, actions);

    /// <summary>Every filesystem on every kernel profile: the cells the properties run over.</summary>
    public static TheoryData<string, FsKind> Cells()
    {
        var data = new TheoryData<string, FsKind>();
        foreach (var kernel in Kernels)
        {
            foreach (var fs in Enum.GetValues<FsKind>())
            {
                data.Add(kernel, fs);
            }
        }

        return data;
    }
}
