using System.Reflection;
using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Plugins;

namespace DaxHolder.Host.PluginLoading;

/// <summary>
/// Guards every call into a plugin. <see cref="Wrap{T}"/> puts a proxy in front of a contract
/// interface; an exception thrown by the plugin becomes a <see cref="PluginCallException"/>
/// naming the plugin and the call. Contract interfaces the plugin hands back (directly, inside
/// <see cref="ErrnoOr{T}"/>, or in a list) are wrapped in turn, so nothing the host holds reaches
/// plugin code unguarded. Proxies are fresh objects: compare what they return by value (inode
/// number, name), not by reference.
/// </summary>
public static class PluginGuard
{
    private static readonly Assembly Contract = typeof(IDaxHolderPlugin).Assembly;
    private static readonly MethodInfo WrapMethod = typeof(PluginGuard).GetMethod(nameof(Wrap))!;

    /// <summary>A guarded view of <paramref name="target"/>, which belongs to <paramref name="plugin"/>.</summary>
    public static T Wrap<T>(T target, string plugin)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target is IGuarded)
        {
            return target;
        }

        var proxy = System.Reflection.DispatchProxy.Create<T, GuardProxy>();
        var guard = (GuardProxy)(object)proxy;
        guard.Target = target;
        guard.Plugin = plugin;
        guard.InterfaceName = typeof(T).Name;
        return proxy;
    }

    /// <summary>
    /// The plugin's own object behind a guard, for handing it back to that plugin (the image mkfs
    /// made goes back into mount): the plugin must see its own type, not a proxy.
    /// </summary>
    public static T Unwrap<T>(T value)
        where T : class =>
        value is GuardProxy { Target: T target } ? target : value;

    /// <summary>Runs <paramref name="call"/> (plugin code) and turns its exception into a <see cref="PluginCallException"/>.</summary>
    public static TResult Invoke<TResult>(string plugin, string callName, Func<TResult> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return call();
        }
        catch (Exception e) when (e is not PluginCallException)
        {
            throw new PluginCallException(plugin, callName, e);
        }
    }

    /// <summary>Guards a value that came out of a plugin, according to its declared type.</summary>
    internal static object? GuardResult(Type declared, object? value, string plugin)
    {
        if (value is null)
        {
            return null;
        }

        // Objects the host itself handed to the plugin (an address_space, a superblock) come
        // back as they are: they are the kernel's own and the host downcasts them.
        if (value.GetType().Assembly == typeof(PluginGuard).Assembly)
        {
            return value;
        }

        if (IsContractInterface(declared))
        {
            return WrapMethod.MakeGenericMethod(declared).Invoke(null, [value, plugin]);
        }

        if (declared.IsGenericType && declared.GetGenericTypeDefinition() == typeof(ErrnoOr<>)
            && IsContractInterface(declared.GenericTypeArguments[0]))
        {
            return GuardErrnoOr(declared, value, plugin);
        }

        if (declared.IsGenericType && declared.GetGenericTypeDefinition() == typeof(IReadOnlyList<>)
            && IsContractInterface(declared.GenericTypeArguments[0]))
        {
            var element = declared.GenericTypeArguments[0];
            var items = ((System.Collections.IEnumerable)value).Cast<object>().Select(i => GuardResult(element, i, plugin)).ToArray();
            var array = Array.CreateInstance(element, items.Length);
            Array.Copy(items, array, items.Length);
            return array;
        }

        return value;
    }

    private static object GuardErrnoOr(Type declared, object value, string plugin)
    {
        var isOk = (bool)declared.GetProperty(nameof(ErrnoOr<object>.IsOk))!.GetValue(value)!;
        if (!isOk)
        {
            return value;
        }

        var inner = declared.GetProperty(nameof(ErrnoOr<object>.Value))!.GetValue(value);
        var guarded = GuardResult(declared.GenericTypeArguments[0], inner, plugin);
        return declared.GetMethod(nameof(ErrnoOr<object>.Ok))!.Invoke(null, [guarded])!;
    }

    private static bool IsContractInterface(Type type) => type.IsInterface && type.Assembly == Contract;

    /// <summary>Marks proxies so they are not wrapped twice.</summary>
    internal interface IGuarded;
}

/// <summary>The proxy behind <see cref="PluginGuard.Wrap{T}"/>; public only because DispatchProxy requires it.</summary>
#pragma warning disable CA1852 // DispatchProxy derives from this type at run time
public class GuardProxy : System.Reflection.DispatchProxy, PluginGuard.IGuarded
#pragma warning restore CA1852
{
    internal object Target { get; set; } = null!;

    internal string Plugin { get; set; } = "";

    internal string InterfaceName { get; set; } = "";

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        object? result;
        try
        {
            result = targetMethod.Invoke(Target, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner)
        {
            throw inner is PluginCallException ? inner : new PluginCallException(Plugin, Call(targetMethod), inner);
        }

        try
        {
            return PluginGuard.GuardResult(targetMethod.ReturnType, result, Plugin);
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner)
        {
            throw new PluginCallException(Plugin, Call(targetMethod), inner);
        }
    }

    /// <summary>The call's name for reports ("IDaxHolderOperations.NotifyFailure"), made only when a call fails.</summary>
    private string Call(MethodInfo method) => $"{InterfaceName}.{CallName(method)}";

    private static string CallName(MethodInfo method) =>
        method.IsSpecialName && method.Name.StartsWith("get_", StringComparison.Ordinal) ? method.Name[4..] : method.Name;
}
