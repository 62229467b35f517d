using System.Numerics.Tensors;
using Backprop.Autograd;
using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>dLoss/dLoss for a one-element root; backward copies it, never changes it.</summary>
    private static readonly float[] s_one = [1f];

    private bool _requiresGrad;
    /// <summary>The gradient's storage, which backward works on; a <see cref="Grad"/> tensor is made around it only when asked for.</summary>
    private float[]? _gradData;
    private bool _gradOwned;

    /// <summary>The recorded op that produced this tensor, or null for a leaf.</summary>
    internal Node? GradFn { get; private set; }

    /// <summary>
    /// Whether gradients flow to this tensor. Set it on a leaf (a tensor made by the user) to have
    /// <see cref="Backward()"/> fill <see cref="Grad"/>; results of ops inherit it from their inputs.
    /// </summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (GradFn is not null && !value)
            {
                throw new InvalidOperationException($"RequiresGrad: the tensor of shape {Shapes.Format(Dims)} is the result of '{GradFn.Op}'; use Detach() to get a tensor without a graph.");
            }

            if (value && !_dtype.IsFloatingPoint())
            {
                throw new NotSupportedException($"RequiresGrad: the {_dtype.Name()} tensor of shape {Shapes.Format(Dims)} cannot require grad: only floating-point tensors have gradients (float32 and float64).");
            }

            _requiresGrad = value;
        }
    }

    /// <summary>True for a tensor that no recorded op produced.</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>The name of the op that produced this tensor ("MatMul", "Relu", …), or null for a leaf.</summary>
    public string? GradFnName => GradFn?.Op;

    /// <summary>
    /// dLoss/dThis after <see cref="Backward()"/>: kept for leaves, and for other tensors after <see cref="RetainGrad"/>.
    /// A gradient set here from a <see cref="TensorScope"/> lives only as long as that scope.
    /// </summary>
    public Tensor? Grad
    {
        get => GradTensor ??= GradData is not { } data ? null : new Tensor(data, Dims);
        set
        {
            GradPendingZero = false;
            GradTensor = value;
            _gradData = value is { DType: DType.Float32 } ? value.Data : null;
            _gradOwned = false;
        }
    }

    /// <summary>The float32 gradient's storage as backward sees it, or null (also for the gradient of a float64 tensor, which only <see cref="Grad"/> holds).</summary>
    internal float[]? GradData
    {
        get
        {
            if (GradPendingZero)
            {
                Array.Clear(_gradData!);
                GradPendingZero = false;
            }

            return _gradData;
        }
    }

    /// <summary>
    /// Sets the gradient to zero without clearing it (an optimizer's ZeroGrad between steps): the next backward writes
    /// over it where a kernel writes every element (the GEMM of a weight's gradient, a first deposit), so that a large
    /// gradient is not cleared only to be read back and overwritten; anything that reads it first gets zeros. A
    /// gradient someone holds as a <see cref="Grad"/> tensor is cleared at once, since that tensor shows its values.
    /// </summary>
    internal void ZeroGradLazily()
    {
        if (_gradData is null)
        {
            Grad = null;
            return;
        }

        if (GradTensor is null)
        {
            GradPendingZero = true;
        }
        else
        {
            _gradData.AsSpan().Clear();
        }
    }

    /// <summary>The inputs of the op that produced this tensor (empty for a leaf or a freed graph).</summary>
    public IReadOnlyList<Tensor> GradFnInputs => GradFn is null ? [] : GradFn.Inputs.ToArray();

    /// <summary>Enters a scope in which no graph is recorded; dispose it to leave.</summary>
    /// <returns>The scope.</returns>
    public static GradModeScope NoGrad() => new(false);

    /// <summary>Enters a scope in which the graph is recorded again, inside a <see cref="NoGrad"/> scope (torch.enable_grad); dispose it to leave.</summary>
    /// <returns>The scope.</returns>
    public static GradModeScope EnableGrad() => new(true);

    /// <summary>
    /// Enters a scope in which every recorded op's output and every gradient backward computes is checked for NaN
    /// and infinity (torch.autograd.detect_anomaly); the first found throws, naming the op, the element and, for a
    /// gradient, the graph path from the loss to it. Slower: use it to find where a loss turns NaN.
    /// </summary>
    /// <returns>The scope; dispose it to leave.</returns>
    public static AnomalyScope DetectAnomaly() => new(true);

    /// <summary>True when operations on this thread currently record a graph.</summary>
    public static bool IsGradEnabled => GradMode.IsEnabled;

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor, for chaining after a factory.</summary>
    /// <param name="requiresGrad">The new value.</param>
    /// <returns>This tensor.</returns>
    public Tensor SetRequiresGrad(bool requiresGrad = true)
    {
        RequiresGrad = requiresGrad;
        return this;
    }

    /// <summary>Asks backward to keep this non-leaf tensor's <see cref="Grad"/>.</summary>
    /// <returns>This tensor.</returns>
    public Tensor RetainGrad()
    {
        RetainsGrad = true;
        return this;
    }

    /// <summary>A tensor sharing this one's values, cut from the graph, that requires no grad.</summary>
    /// <returns>The detached tensor.</returns>
    public Tensor Detach()
    {
        var detached = new Tensor(this, Dims);
        if (detached.StridedLayout is { } layout)
        {
            // Like PyTorch's detach(), the result may change the leaf's values in place even in grad mode.
            layout.Leaf = null;
        }

        return detached;
    }

    /// <summary>Clears <see cref="Grad"/>.</summary>
    public void ZeroGrad() => Grad = null;

    /// <summary>Backpropagates from a one-element tensor (a loss): dLoss/dLoss = 1.</summary>
    public void Backward() => Backward(null, retainGraph: false);

    /// <summary>
    /// Backpropagates <paramref name="gradient"/> (dLoss/dThis, shaped like this tensor) through the
    /// recorded graph, accumulating into the <see cref="Grad"/> of every tensor that requires it.
    /// </summary>
    /// <param name="gradient">The incoming gradient; null means 1 for a one-element tensor.</param>
    /// <param name="retainGraph">Keep the graph so that backward can run through it again.</param>
    public void Backward(Tensor? gradient, bool retainGraph = false) => Backward(gradient, retainGraph, createGraph: false);

    /// <summary>
    /// <see cref="Backward(Tensor?, bool)"/>, and with <paramref name="createGraph"/> the gradients get a graph of their
    /// own (torch's create_graph): each <see cref="Grad"/> can then be differentiated again, for a gradient penalty or
    /// a Hessian-vector product. Such a pass, and every pass through float64 tensors, runs each op's backward
    /// through tensor ops; the ops that have one are listed in docs/README.md.
    /// </summary>
    /// <param name="gradient">The incoming gradient; null means 1 for a one-element tensor.</param>
    /// <param name="retainGraph">Keep the graph so that backward can run through it again (always kept with <paramref name="createGraph"/>, which differentiates through it).</param>
    /// <param name="createGraph">Record the backward pass itself, for higher-order gradients.</param>
    public void Backward(Tensor? gradient, bool retainGraph, bool createGraph)
    {
        if (!RequiresGrad)
        {
            throw new InvalidOperationException($"Backward: the tensor of shape {Shapes.Format(Dims)} does not require grad, so there is no graph to go back through. Set RequiresGrad on the inputs (or parameters) before computing it.");
        }

        if (gradient is null)
        {
            if (Numel != 1)
            {
                throw new InvalidOperationException($"Backward: without a gradient argument the tensor must have one element, but it has shape {Shapes.Format(Dims)}. Pass dLoss/dThis as Backward(gradient).");
            }

            if (_dtype == DType.Float32 && !createGraph)
            {
                BackwardEngine.Run(this, s_one, retainGraph);
                return;
            }

            gradient = Ones(Dims, _dtype);
        }
        else if (!gradient.Dims.AsSpan().SequenceEqual(Dims) || gradient._dtype != _dtype)
        {
            throw new ArgumentException($"Backward: the gradient is {gradient._dtype.Name()} {Shapes.Format(gradient.Dims)} but the tensor is {_dtype.Name()} {Shapes.Format(Dims)}.", nameof(gradient));
        }

        if (_dtype == DType.Float32 && !createGraph)
        {
            BackwardEngine.Run(this, gradient.Data, retainGraph);
            return;
        }

        GraphEngine.Run([this], [gradient], retainGraph, createGraph, accumulate: true);
    }

    /// <summary>
    /// The first of the two ways a backward closure hands this tensor its gradient: the span of
    /// <see cref="Grad"/> for a kernel that adds into its output in place (a scatter-add, a reduction's expand).
    /// A gradient created here holds zeros.
    /// </summary>
    internal Span<float> GradAccumulator()
    {
        ThrowIfGradReleased();
        if (GradData is null)
        {
            SetOwnedGrad(BufferPool<float>.RentZeroed(Data.Length));
        }

        return _gradData;
    }

    /// <summary>
    /// <see cref="GradAccumulator()"/> for a kernel that can also overwrite its output (the GEMM with
    /// accumulate: !fresh): <paramref name="fresh"/> tells that the gradient was just created, and then its contents
    /// are undefined and the kernel must write every element, so that nothing is cleared only to be overwritten.
    /// </summary>
    internal Span<float> GradAccumulator(out bool fresh)
    {
        ThrowIfGradReleased();
        fresh = _gradData is null || GradPendingZero;
        GradPendingZero = false;
        if (_gradData is null)
        {
            SetOwnedGrad(BufferPool<float>.Rent(Data.Length));
        }

        return _gradData;
    }

    /// <summary><see cref="GradAccumulator()"/>'s whole array, for a kernel that shares it across threads.</summary>
    internal float[] GradAccumulatorArray()
    {
        GradAccumulator();
        return _gradData!;
    }

    /// <summary>
    /// The second way: adds a gradient <paramref name="g"/> computed in <paramref name="shape"/> (this
    /// tensor's shape, or one it was broadcast to) into <see cref="Grad"/>, summing over the broadcast
    /// dimensions. Nothing happens when this tensor requires no grad. With <paramref name="owned"/> the
    /// caller gives the array up (one from <see cref="RentGradArray"/>, or one it allocated and nothing else
    /// references): it becomes Grad when it can, and goes to the pool otherwise.
    /// </summary>
    internal void DepositGrad(float[] g, int[] shape, bool owned)
    {
        ThrowIfGradReleased();
        if (_requiresGrad && g.Length == Data.Length && GradPendingZero)
        {
            // Zeros plus g: a copy (on every kernel thread when large).
            GradPendingZero = false;
            WorkSplitter.For(g.Length, WorkSplitter.ElementwiseMinimum, (Grad: _gradData!, Term: g), static (s, start, length) =>
                s.Term.AsSpan(start, length).CopyTo(s.Grad.AsSpan(start, length)));
            if (owned)
            {
                BufferPool<float>.Return(g);
            }

            return;
        }

        if (_requiresGrad && g.Length == Data.Length && _gradData is null)
        {
            if (!owned)
            {
                var copy = BufferPool<float>.Rent(g.Length);
                g.CopyTo(copy, 0);
                g = copy;
            }

            SetOwnedGrad(g);
            return;
        }

        if (_requiresGrad && g.Length == Data.Length)
        {
            // A second gradient (a tensor used twice, a leaf across steps) adds on every kernel thread when large.
            WorkSplitter.For(g.Length, WorkSplitter.ElementwiseMinimum, (Sum: _gradData!, Term: g), static (s, start, length) =>
                TensorPrimitives.Add(s.Sum.AsSpan(start, length), s.Term.AsSpan(start, length), s.Sum.AsSpan(start, length)));
        }
        else if (_requiresGrad)
        {
            Broadcasting.SumInto(g, shape, GradAccumulator(), Dims);
        }

        if (owned)
        {
            BufferPool<float>.Return(g);
        }
    }

    /// <summary>
    /// A scratch array of <paramref name="length"/> elements (contents undefined) for a backward closure.
    /// Every rented array ends in <see cref="DepositGrad"/> with owned set, or in <see cref="ReturnGradArray"/>.
    /// </summary>
    internal static float[] RentGradArray(int length) => BufferPool<float>.Rent(length);

    /// <summary><see cref="RentGradArray"/> filled with zeros, for a backward kernel that adds into it.</summary>
    internal static float[] RentZeroedGradArray(int length) => BufferPool<float>.RentZeroed(length);

    /// <summary>Gives back a rented scratch array that was not deposited.</summary>
    internal static void ReturnGradArray(float[] array) => BufferPool<float>.Return(array);

    /// <summary>
    /// Hands <paramref name="g"/>, the gradient that backward passes to this tensor's node, over to that node when
    /// autograd would return it to the pool right after (an intermediate tensor's, not retained): the node may then
    /// write its input's gradient over it (an elementwise backward) or give it to the input as it is (a reshape),
    /// and deposits it as owned. False leaves the array this tensor's.
    /// </summary>
    /// <param name="g">The gradient the node received.</param>
    /// <returns>Whether the caller now owns <paramref name="g"/>.</returns>
    internal bool GiveUpGrad(float[] g)
    {
        if (GradFn is null || RetainsGrad || !_gradOwned || !ReferenceEquals(_gradData, g))
        {
            return false;
        }

        _gradOwned = false;
        return true;
    }

    /// <summary>Releases the gradient of a non-leaf tensor once backward has used it, unless it was retained.</summary>
    internal void ReleaseIntermediateGrad()
    {
        if (GradFn is not null && !RetainsGrad)
        {
            if (_gradOwned && _gradData is not null)
            {
                BufferPool<float>.Return(_gradData);
            }

            Grad = null;
        }
    }

    private void ThrowIfGradReleased()
    {
        if (GradTensor is { IsReleased: true })
        {
            throw new InvalidOperationException($"Backward: the Grad set on the tensor of shape {Shapes.Format(Dims)} was made inside a TensorScope that has been disposed; keep it with scope.Keep(grad), or set Grad to null.");
        }
    }

    /// <summary>Makes <paramref name="data"/> (which nothing else references) this tensor's gradient, owned by autograd.</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_gradData))]
    private void SetOwnedGrad(float[] data)
    {
        _gradData = data;
        GradPendingZero = false;
        GradTensor = null;
        _gradOwned = true;
    }

    /// <summary>Whether an op with these inputs must record a graph node.</summary>
    internal static bool NeedsGrad(Tensor a) => a._requiresGrad && GradMode.IsEnabled;

    /// <summary>Whether an op with these inputs must record a graph node.</summary>
    internal static bool NeedsGrad(Tensor a, Tensor b) => (a._requiresGrad || b._requiresGrad) && GradMode.IsEnabled;

    /// <summary>
    /// The backward through tensor ops of a fused op that has an equivalent composition of differentiable ops: the
    /// composition is recomputed from the op's inputs and differentiated with respect to them alone. It costs a second
    /// forward, only in a pass that needs it (createGraph, or a float64 part of the graph); the fused kernels keep the
    /// first-order float32 pass.
    /// </summary>
    /// <param name="compose">The op as tensor ops, from its recorded inputs (in the order given to Record).</param>
    /// <returns>The backward.</returns>
    internal static GraphBackwardFn Recomputed(Func<Tensor[], Tensor> compose) => (output, grad, inputs) => Recompute(compose, grad, inputs, static (compose, x) => compose(x));

    /// <summary>
    /// What <see cref="Recomputed"/>'s backward does, for a <see cref="StateNode{TState}"/>'s graph function:
    /// <paramref name="compose"/> (a static lambda) gets the node's state.
    /// </summary>
    /// <typeparam name="TState">The node's state.</typeparam>
    /// <param name="state">The node's state.</param>
    /// <param name="grad">dLoss/dOutput.</param>
    /// <param name="inputs">The op's inputs.</param>
    /// <param name="compose">The op as tensor ops, from its state and recorded inputs.</param>
    /// <returns>dLoss/dInput for each input.</returns>
    internal static Tensor?[] Recompute<TState>(TState state, Tensor grad, Tensor[] inputs, Func<TState, Tensor[], Tensor> compose)
    {
        Tensor again;
        using (new GradModeScope(true))
        {
            again = compose(state, inputs);
        }

        return GraphEngine.Through(again, grad, inputs);
    }

    /// <summary>Attaches the node that produced this tensor and marks it as requiring grad.</summary>
    /// <param name="op">The op's name.</param>
    /// <param name="inputs">The op's inputs.</param>
    /// <param name="backward">Sends the output's gradient to the inputs on raw float32 storage (null for an op with only <paramref name="graph"/>).</param>
    /// <param name="saved">The tensors backward reads, checked for in-place changes before it runs (pass <paramref name="inputs"/> itself when they are the same).</param>
    /// <param name="savesOutput">Whether backward reads this output too.</param>
    /// <param name="graph">The same backward through tensor ops, for higher-order gradients and float64 (null: the op has none yet).</param>
    internal Tensor Record(string op, Tensor[] inputs, BackwardFn? backward, Tensor[]? saved = null, bool savesOutput = false, GraphBackwardFn? graph = null)
    {
        CheckAnomaly(op, inputs);
        GradFn = new ClosureNode(op, inputs, backward, graph, saved, savesOutput ? Version : null);
        _requiresGrad = true;
        return this;
    }

    /// <summary>
    /// Attaches the node of an op that a training step runs every time: <paramref name="backward"/> and <paramref name="graph"/> are static lambdas (made once) that get
    /// <paramref name="state"/>, the output and the inputs, so that recording allocates one node and nothing else.
    /// </summary>
    /// <typeparam name="TState">What backward reads beyond the inputs and the output (a value tuple).</typeparam>
    /// <param name="op">The op's name.</param>
    /// <param name="inputs">The op's inputs.</param>
    /// <param name="state">What backward reads beyond the inputs and the output.</param>
    /// <param name="backward">The backward on raw float32 storage (null for an op with only <paramref name="graph"/>).</param>
    /// <param name="saved">The tensors backward reads, checked for in-place changes (pass <paramref name="inputs"/> itself when they are the same).</param>
    /// <param name="savesOutput">Whether backward reads this output too.</param>
    /// <param name="graph">The same backward through tensor ops (null: the op has none yet).</param>
    internal Tensor Record<TState>(string op, Tensor[] inputs, TState state, BackwardFn<TState>? backward, Tensor[]? saved = null, bool savesOutput = false, GraphBackwardFn<TState>? graph = null)
    {
        CheckAnomaly(op, inputs);
        GradFn = new StateNode<TState>(op, inputs, state, backward, graph, saved, savesOutput ? Version : null);
        _requiresGrad = true;
        return this;
    }

    private void CheckAnomaly(string op, Tensor[] inputs)
    {
        if (AnomalyMode.IsEnabled)
        {
            AnomalyMode.CheckForward(op, this, inputs);
        }
    }

    /// <summary>
    /// Throws when an in-place change would corrupt autograd: on a leaf that requires grad, and, since the in-place
    /// ops record no graph, on any tensor autograd tracks unless the change leaves its gradient as it is
    /// (<paramref name="keepsGradient"/>: adding a constant).
    /// </summary>
    internal void CheckInPlace(string op, bool keepsGradient = false)
    {
        if (GradMode.IsEnabled && _requiresGrad && GradFn is null)
        {
            throw new InvalidOperationException($"{op}: the tensor of shape {Shapes.Format(Dims)} is a leaf that requires grad; change it in place only inside Tensor.NoGrad().");
        }

        CheckViewInPlace(op);
        if (GradMode.IsEnabled && _requiresGrad && !keepsGradient)
        {
            throw new InvalidOperationException($"{op}: the tensor of shape {Shapes.Format(Dims)} comes from {GradFn!.Op} and autograd tracks it, but {op} records no graph, so the gradient through it would be wrong; use the op that returns a new tensor, or change it inside Tensor.NoGrad() if no gradient should pass through the change.");
        }
    }

    /// <summary>Throws when an in-place change would take its values from <paramref name="source"/>, a tensor that requires grad, outside Tensor.NoGrad(): the change records no graph, so that gradient would be lost.</summary>
    /// <param name="op">The in-place op, for the message.</param>
    /// <param name="role">What the source is to the op ("the source", "the value"), for the message.</param>
    /// <param name="source">The tensor whose values the change takes.</param>
    /// <param name="instead">What to do instead, for the message.</param>
    internal static void CheckInPlaceSource(string op, string role, Tensor source, string instead)
    {
        if (GradMode.IsEnabled && source.RequiresGrad)
        {
            throw new InvalidOperationException($"{op}: {role}, of shape {Shapes.Format(source.Dims)}, requires grad, but {op} records no graph, so its gradient would be lost; {instead}.");
        }
    }
}
