using System.Runtime.CompilerServices;
using DaxHolder.Host.PluginLoading;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.PluginLoading;

public sealed class PluginUnloadTests : IDisposable
{
    private readonly FixturePlugins fixtures = new();

    public void Dispose() => fixtures.Dispose();

    [Fact]
    public void Unload_LetsThePluginsLoadContextBeCollected()
    {
        var dir = fixtures.CompilePlugin("Minimal", FixturePlugins.PluginSource("Minimal", "minimal"));

        var context = LoadUseAndUnload(dir);
        for (var i = 0; i < 50 && context.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        context.IsAlive.ShouldBeFalse("nothing of the host may keep an unloaded plugin's context alive");
    }

    /// <summary>Kept out of line so no local of the caller's frame holds plugin objects.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference LoadUseAndUnload(string dir)
    {
        var catalog = PluginLoader.Load(Sources.Only(dir));
        var plugin = catalog.Plugins.Single();
        catalog.FindFileSystemType("minimal")!.Name.ShouldBe("minimal");
        var context = plugin.ContextReference;

        catalog.Dispose();

        plugin.IsUnloaded.ShouldBeTrue();
        plugin.FileSystemTypes.ShouldBeEmpty();
        return context;
    }
}
