namespace Backprop.NN;

/// <summary>The forward pre-hooks and hooks of one module, run around its Forward in registration order.</summary>
/// <typeparam name="TInput">The module's input (a tuple for several).</typeparam>
/// <typeparam name="TOutput">The module's output.</typeparam>
internal sealed class ForwardHooks<TInput, TOutput>
{
    private readonly List<Func<Module, TInput, TInput>> _pre = [];
    private readonly List<Func<Module, TInput, TOutput, TOutput>> _post = [];

    public TOutput Run(Module module, TInput input, Func<TInput, TOutput> forward)
    {
        foreach (var hook in _pre.ToArray())
        {
            input = hook(module, input);
        }

        var output = forward(input);
        foreach (var hook in _post.ToArray())
        {
            output = hook(module, input, output);
        }

        return output;
    }

    public IDisposable AddPre(Func<Module, TInput, TInput> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        _pre.Add(hook);
        return new Handle(() => _pre.Remove(hook));
    }

    public IDisposable AddPost(Func<Module, TInput, TOutput, TOutput> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        _post.Add(hook);
        return new Handle(() => _post.Remove(hook));
    }

    private sealed class Handle(Action remove) : IDisposable
    {
        private Action? _remove = remove;

        public void Dispose()
        {
            _remove?.Invoke();
            _remove = null;
        }
    }
}
