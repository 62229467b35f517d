namespace Backprop.NN;

/// <summary>
/// A module with one input: override <see cref="Forward"/>. <see cref="Call"/> runs it with the forward
/// hooks, as PyTorch's module(x); containers call their children through it.
/// </summary>
/// <typeparam name="TInput">The input (a tensor for most layers).</typeparam>
/// <typeparam name="TOutput">The output (a tensor, or a tuple for several).</typeparam>
public abstract class Module<TInput, TOutput> : Module
{
    private ForwardHooks<TInput, TOutput>? _hooks;

    /// <summary>Computes the module's output; autograd records it for backward.</summary>
    /// <param name="input">The input.</param>
    /// <returns>The output.</returns>
    public abstract TOutput Forward(TInput input);

    /// <summary>Runs the forward pre-hooks, <see cref="Forward"/>, then the forward hooks (PyTorch's module(x)).</summary>
    /// <param name="input">The input.</param>
    /// <returns>The output, as the last hook left it.</returns>
    public TOutput Call(TInput input) => _hooks is null ? Forward(input) : _hooks.Run(this, input, Forward);

    /// <summary>Adds a hook that sees (and may replace) the input before every <see cref="Call"/>.</summary>
    /// <param name="hook">Receives the module and the input; returns the input to use.</param>
    /// <returns>A handle; dispose it to remove the hook.</returns>
    public IDisposable RegisterForwardPreHook(Func<Module, TInput, TInput> hook) => (_hooks ??= new()).AddPre(hook);

    /// <summary>Adds a hook that sees (and may replace) the output after every <see cref="Call"/>.</summary>
    /// <param name="hook">Receives the module, the input and the output; returns the output to use.</param>
    /// <returns>A handle; dispose it to remove the hook.</returns>
    public IDisposable RegisterForwardHook(Func<Module, TInput, TOutput, TOutput> hook) => (_hooks ??= new()).AddPost(hook);
}
