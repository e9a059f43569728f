using System.Reflection;
using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Plugins;

namespace DaxHolder.Kernel.Modules;

/// <summary>Whose plugin objects a guard covers, and the machine's record of calls into them.</summary>
/// <param name="Module">The plugin.</param>
/// <param name="Calls">The machine's plugin calls (deadline and cancellation).</param>
internal sealed record GuardScope(ModuleIdentity Module, PluginCalls Calls);

/// <summary>
/// The one boundary between the kernel model and plugin code. The kernel wraps each filesystem
/// type once, when it registers it (<see cref="Fs.Filesystems"/>); every contract object the
/// plugin hands back (an image, a mounted filesystem, its file operations, iomap, rmap, holder
/// operations), directly, inside <see cref="ErrnoOr{T}"/> or in a list, is wrapped in turn, so
/// nothing the kernel holds reaches plugin code unguarded. Every call through a guard:
/// <list type="bullet">
/// <item>is recorded with <see cref="PluginCalls"/>, so a watchdog sees one that does not return;</item>
/// <item>turns an exception into a <see cref="PluginFault"/> naming plugin, version, call and arguments
/// (the kernel's own exceptions, such as an oops inside a kernel service the plugin called, pass through);</item>
/// <item>checks what it returns against the contract (<see cref="ContractChecks"/>).</item>
/// </list>
/// Guarded objects handed back to their plugin as arguments are unwrapped, so the plugin sees its
/// own types. Proxies are fresh objects: compare what they return by value, not by reference.
/// </summary>
internal static class ModuleGuard
{
    private static readonly Assembly Contract = typeof(IDaxHolderPlugin).Assembly;
    private static readonly Assembly Kernel = typeof(ModuleGuard).Assembly;
    private static readonly MethodInfo WrapMethod = typeof(ModuleGuard).GetMethod(nameof(Wrap), BindingFlags.Static | BindingFlags.Public)!;

    /// <summary>A guarded view of <paramref name="target"/>, which belongs to the plugin of <paramref name="scope"/>.</summary>
    public static T Wrap<T>(T target, GuardScope scope)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target is GuardProxy)
        {
            return target;
        }

        var proxy = DispatchProxy.Create<T, GuardProxy>();
        var guard = (GuardProxy)(object)proxy;
        guard.Target = target;
        guard.Scope = scope;
        guard.InterfaceName = typeof(T).Name;
        return proxy;
    }

    /// <summary>
    /// Runs plugin code that is not a contract call (the module's constructors and Dispose, run by
    /// its DI container) under the same rules: recorded for the deadline, an exception a fault.
    /// </summary>
    public static T Run<T>(GuardScope scope, string call, Func<T> body)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(body);
        scope.Calls.Enter(scope.Module, call, RunMethod, null);
        try
        {
            return body();
        }
        catch (Exception e) when (!IsKernels(e))
        {
            throw PluginFault.Threw(scope.Module, call, "", e is TargetInvocationException { InnerException: { } inner } ? inner : e);
        }
        finally
        {
            scope.Calls.Leave();
        }
    }

    private static readonly MethodInfo RunMethod = typeof(ModuleGuard).GetMethod(nameof(Run))!;

    /// <summary>Whether <paramref name="value"/> is a guarded plugin object.</summary>
    public static bool IsGuarded(object value) => value is GuardProxy;

    /// <summary>"IMountedFileSystem of plugin 'Xfs' 0.1.0" for a guarded object.</summary>
    public static string Describe(object value) =>
        value is GuardProxy g ? $"{g.InterfaceName} of {g.Scope.Module}" : value.ToString() ?? "";

    /// <summary>The plugin behind a guarded object, or null for any other object.</summary>
    public static ModuleIdentity? ModuleOf(object value) => (value as GuardProxy)?.Scope.Module;

    /// <summary>A plugin's own object behind a guard, for handing it back to that plugin.</summary>
    internal static object? Unwrap(object? value) => value is GuardProxy g ? g.Target : value;

    /// <summary>Whether <paramref name="exception"/> is the kernel model's own (an oops, a fault already named) rather than the plugin's.</summary>
    internal static bool IsKernels(Exception exception) =>
        exception.GetType().Assembly == Kernel || exception is OperationCanceledException;

    /// <summary>Guards a value that came out of a plugin, according to its declared type.</summary>
    internal static object? GuardResult(Type declared, object? value, GuardScope scope)
    {
        if (value is null || value.GetType().Assembly == Kernel)
        {
            // Objects the kernel itself handed to the plugin (an address_space, a superblock)
            // come back as they are: they are the kernel's own and the kernel downcasts them.
            return value;
        }

        if (IsContractInterface(declared))
        {
            return WrapMethod.MakeGenericMethod(declared).Invoke(null, [value, scope]);
        }

        if (declared.IsGenericType && declared.GetGenericTypeDefinition() == typeof(ErrnoOr<>)
            && IsContractInterface(declared.GenericTypeArguments[0]))
        {
            return GuardErrnoOr(declared, value, scope);
        }

        if (declared.IsGenericType && declared.GetGenericTypeDefinition() == typeof(IReadOnlyList<>)
            && IsContractInterface(declared.GenericTypeArguments[0]))
        {
            var element = declared.GenericTypeArguments[0];
            var items = ((System.Collections.IEnumerable)value).Cast<object>().Select(i => GuardResult(element, i, scope)).ToArray();
            var array = Array.CreateInstance(element, items.Length);
            Array.Copy(items, array, items.Length);
            return array;
        }

        return value;
    }

    private static object GuardErrnoOr(Type declared, object value, GuardScope scope)
    {
        var isOk = (bool)declared.GetProperty(nameof(ErrnoOr<object>.IsOk))!.GetValue(value)!;
        if (!isOk)
        {
            return value;
        }

        var inner = declared.GetProperty(nameof(ErrnoOr<object>.Value))!.GetValue(value);
        var guarded = GuardResult(declared.GenericTypeArguments[0], inner, scope);
        return declared.GetMethod(nameof(ErrnoOr<object>.Ok))!.Invoke(null, [guarded])!;
    }

    private static bool IsContractInterface(Type type) => type.IsInterface && type.Assembly == Contract;
}

/// <summary>The proxy behind <see cref="ModuleGuard.Wrap{T}"/>; public only because DispatchProxy requires it.</summary>
#pragma warning disable CA1852 // DispatchProxy derives from this type at run time
public class GuardProxy : DispatchProxy
#pragma warning restore CA1852
{
    internal object Target { get; set; } = null!;

    internal GuardScope Scope { get; set; } = null!;

    internal string InterfaceName { get; set; } = "";

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var calls = Scope.Calls;
        calls.Enter(Scope.Module, InterfaceName, targetMethod, args);
        try
        {
            var result = Call(targetMethod, args);
            if (calls.IsAbandoned)
            {
                throw new OperationCanceledException("the machine was abandoned at its plugin call's deadline");
            }

            if (ContractChecks.Violation(targetMethod, args, result) is { } violation)
            {
                throw Fault(targetMethod, args, PluginFaultKind.ContractViolation, violation);
            }

            return ModuleGuard.GuardResult(targetMethod.ReturnType, result, Scope);
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner)
        {
            throw Fault(targetMethod, args, PluginFaultKind.Threw, $"{inner.GetType().Name}: {inner.Message}", inner);
        }
        finally
        {
            calls.Leave();
        }
    }

    private object? Call(MethodInfo method, object?[]? args)
    {
        var forPlugin = args;
        if (args is not null && args.Any(ModuleGuardIsProxy))
        {
            forPlugin = [.. args.Select(ModuleGuard.Unwrap)];
        }

        try
        {
            return method.Invoke(Target, forPlugin);
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner && ModuleGuard.IsKernels(inner))
        {
            // An oops inside a kernel service the plugin called, or a fault of a nested call,
            // is the kernel's: it goes on up as it is.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(inner).Throw();
            throw;
        }
    }

    private static bool ModuleGuardIsProxy(object? value) => value is GuardProxy;

    private PluginFault Fault(MethodInfo method, object?[]? args, PluginFaultKind kind, string detail, Exception? inner = null) =>
        new(Scope.Module, $"{InterfaceName}.{PluginCall.MemberName(method)}", CallText.Arguments(args), kind, detail, inner);
}
