namespace Backprop.NN;

/// <summary>A module with two inputs (attention's query and key, a loss's prediction and target): override <see cref="Forward"/>.</summary>
/// <typeparam name="TInput1">The first input.</typeparam>
/// <typeparam name="TInput2">The second input.</typeparam>
/// <typeparam name="TOutput">The output (a tensor, or a tuple for several).</typeparam>
public abstract class Module<TInput1, TInput2, TOutput> : Module
{
    private ForwardHooks<(TInput1, TInput2), TOutput>? _hooks;

    /// <summary>Computes the module's output; autograd records it for backward.</summary>
    /// <param name="input1">The first input.</param>
    /// <param name="input2">The second input.</param>
    /// <returns>The output.</returns>
    public abstract TOutput Forward(TInput1 input1, TInput2 input2);

    /// <summary>Runs the forward pre-hooks, <see cref="Forward"/>, then the forward hooks.</summary>
    /// <param name="input1">The first input.</param>
    /// <param name="input2">The second input.</param>
    /// <returns>The output, as the last hook left it.</returns>
    public TOutput Call(TInput1 input1, TInput2 input2) =>
        _hooks is null ? Forward(input1, input2) : _hooks.Run(this, (input1, input2), x => Forward(x.Item1, x.Item2));

    /// <summary>Adds a hook that sees (and may replace) the inputs before every <see cref="Call"/>.</summary>
    /// <param name="hook">Receives the module and the inputs; returns the inputs to use.</param>
    /// <returns>A handle; dispose it to remove the hook.</returns>
    public IDisposable RegisterForwardPreHook(Func<Module, (TInput1, TInput2), (TInput1, TInput2)> hook) => (_hooks ??= new()).AddPre(hook);

    /// <summary>Adds a hook that sees (and may replace) the output after every <see cref="Call"/>.</summary>
    /// <param name="hook">Receives the module, the inputs and the output; returns the output to use.</param>
    /// <returns>A handle; dispose it to remove the hook.</returns>
    public IDisposable RegisterForwardHook(Func<Module, (TInput1, TInput2), TOutput, TOutput> hook) => (_hooks ??= new()).AddPost(hook);
}
