namespace Backprop.Cli.Explaining;

/// <summary>
/// A small MLP trained by the tutorial's hand-derived formulas, Z = A·W + B with W stored [in, out]:
/// forward, then the errors E layer by layer from the output back, dW = Aᵀ·E, dB = E, and
/// W ← W − lr·dW. Each step also lets autograd compute the same gradients, and reports the difference.
/// </summary>
internal sealed class HandDerivedMlp
{
    private readonly Tensor[] _weights;
    private readonly Tensor[] _biases;
    private readonly string[] _suffixes;

    /// <summary>Makes the network: weights randn·√(2/fan_in) (He), biases 0.1.</summary>
    /// <param name="layers">Layer sizes, input first (the seed network is 1,2,2).</param>
    /// <param name="activation">The activation of every layer (of the hidden layers for cross-entropy).</param>
    /// <param name="loss">The cost.</param>
    /// <param name="generator">The random source for the weights.</param>
    public HandDerivedMlp(int[] layers, ExplainActivation activation, ExplainLoss loss, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(generator);
        if (layers.Length < 2 || layers.Any(s => s <= 0))
        {
            throw new ArgumentException($"HandDerivedMlp: layers [{string.Join(',', layers)}] need at least two positive sizes.", nameof(layers));
        }

        Layers = layers;
        Activation = activation;
        Loss = loss;
        var count = layers.Length - 1;
        _weights = new Tensor[count];
        _biases = new Tensor[count];
        for (var l = 0; l < count; l++)
        {
            _weights[l] = Tensor.Randn([layers[l], layers[l + 1]], generator) * MathF.Sqrt(2f / layers[l]);
            _biases[l] = Tensor.Full(0.1f, 1, layers[l + 1]);
        }

        _suffixes = count == 2 ? ["h", "o"] : [.. Enumerable.Range(1, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }

    /// <summary>The layer sizes.</summary>
    public IReadOnlyList<int> Layers { get; }

    /// <summary>The activation.</summary>
    public ExplainActivation Activation { get; }

    /// <summary>The cost.</summary>
    public ExplainLoss Loss { get; }

    /// <summary>The current weights, [in, out] per layer.</summary>
    public IReadOnlyList<Tensor> Weights => _weights;

    /// <summary>The current biases, [1, out] per layer.</summary>
    public IReadOnlyList<Tensor> Biases => _biases;

    /// <summary>
    /// One step of gradient descent on one sample, traced. For cross-entropy the target is the class
    /// index as a one-element tensor; otherwise it is shaped [1, outputs].
    /// </summary>
    /// <param name="step">The step number to record.</param>
    /// <param name="x">The input, [1, inputs].</param>
    /// <param name="y">The target.</param>
    /// <param name="learningRate">lr.</param>
    /// <returns>The trace.</returns>
    public StepTrace Step(int step, Tensor x, Tensor y, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        Validate(x, y);
        if (!Tensor.IsGradEnabled)
        {
            throw new InvalidOperationException("HandDerivedMlp.Step checks its gradients against autograd, so it cannot run inside Tensor.NoGrad().");
        }

        // The weights here require no grad, so the hand-derived computation records no graph.
        var n = _weights.Length;
        var forward = new List<TraceLine> { new("X", "X (the input)", x), new("y", "y (the target)", y) };
        var zs = new Tensor[n];
        var activations = new Tensor[n + 1];
        activations[0] = x;
        for (var l = 0; l < n; l++)
        {
            var previous = l == 0 ? "X" : A(l - 1);
            zs[l] = activations[l].MatMul(_weights[l]) + _biases[l];
            forward.Add(new TraceLine(Z(l), $"{Z(l)} = {previous}·{W(l)} + {B(l)}", zs[l]));
            var isOutput = l == n - 1;
            if (isOutput && Loss == ExplainLoss.CrossEntropy)
            {
                activations[l + 1] = zs[l].Softmax(1);
                forward.Add(new TraceLine("ŷ", $"ŷ = softmax({Z(l)})", activations[l + 1]));
            }
            else
            {
                activations[l + 1] = Apply(zs[l]);
                forward.Add(new TraceLine(A(l), $"{A(l)} = {FunctionName}({Z(l)})", activations[l + 1]));
            }
        }

        var yHat = activations[n];
        var (cost, costFormula, outputError, errorFormula) = OutputError(yHat, y, zs[n - 1]);
        var backward = new List<TraceLine>();
        var gradW = new Tensor[n];
        var gradB = new Tensor[n];
        var e = outputError;
        for (var l = n - 1; l >= 0; l--)
        {
            backward.Add(new TraceLine(E(l), l == n - 1 ? errorFormula : $"{E(l)} = ({E(l + 1)}·{W(l + 1)}ᵀ) ⊙ {DerivativeName}({Z(l)})", e));
            var previous = l == 0 ? "X" : A(l - 1);
            gradW[l] = activations[l].T.MatMul(e);
            gradB[l] = e.Clone();
            backward.Add(new TraceLine("d" + W(l), $"d{W(l)} = {previous}ᵀ·{E(l)}", gradW[l]));
            backward.Add(new TraceLine("d" + B(l), $"d{B(l)} = {E(l)}", gradB[l]));
            if (l > 0)
            {
                e = e.MatMul(_weights[l].T) * Derivative(zs[l - 1]);
            }
        }

        var difference = CompareWithAutograd(x, y, gradW, gradB);
        var updates = new List<UpdateLine>();
        for (var l = n - 1; l >= 0; l--)
        {
            updates.Add(Update(W(l), ref _weights[l], gradW[l], learningRate));
            updates.Add(Update(B(l), ref _biases[l], gradB[l], learningRate));
        }

        return new StepTrace(step, forward, new TraceLine("C", costFormula, Tensor.Scalar(cost)), backward, updates, difference);
    }

    private string FunctionName => Activation switch
    {
        ExplainActivation.Relu => "relu",
        ExplainActivation.Sigmoid => "σ",
        ExplainActivation.Tanh => "tanh",
        _ => "leaky_relu",
    };

    private string DerivativeName => FunctionName + "′";

    private string W(int l) => "W" + _suffixes[l];

    private string B(int l) => "B" + _suffixes[l];

    private string Z(int l) => "Z" + _suffixes[l];

    private string E(int l) => "E" + _suffixes[l];

    private string A(int l) => l == _weights.Length - 1 ? "ŷ" : _weights.Length == 2 ? "H" : "A" + _suffixes[l];

    private void Validate(Tensor x, Tensor y)
    {
        if (x.Rank != 2 || x.Size(0) != 1 || x.Size(1) != Layers[0])
        {
            throw new ArgumentException($"HandDerivedMlp: the input must be [1, {Layers[0]}], got [{string.Join(',', x.Shape)}].", nameof(x));
        }

        if (Loss == ExplainLoss.CrossEntropy)
        {
            var c = y.Numel == 1 && y.DType == DType.Int64 ? y.Item() : -1f;
            if (c < 0 || c >= Layers[^1] || c != MathF.Floor(c))
            {
                throw new ArgumentException($"HandDerivedMlp: for cross-entropy the target must be one int64 class index in [0, {Layers[^1]}), got {y}.", nameof(y));
            }
        }
        else if (y.Rank != 2 || y.Size(0) != 1 || y.Size(1) != Layers[^1])
        {
            throw new ArgumentException($"HandDerivedMlp: the target must be [1, {Layers[^1]}], got [{string.Join(',', y.Shape)}].", nameof(y));
        }
    }

    private Tensor Apply(Tensor z) => Activation switch
    {
        ExplainActivation.Relu => z.Relu(),
        ExplainActivation.Sigmoid => z.Sigmoid(),
        ExplainActivation.Tanh => z.Tanh(),
        _ => z.LeakyRelu(),
    };

    /// <summary>f′(z), written out by hand for each activation.</summary>
    private Tensor Derivative(Tensor z)
    {
        var values = z.ToArray();
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            values[i] = Activation switch
            {
                ExplainActivation.Relu => v > 0 ? 1f : 0f,
                ExplainActivation.Sigmoid => Sigmoid(v) * (1f - Sigmoid(v)),
                ExplainActivation.Tanh => 1f - (MathF.Tanh(v) * MathF.Tanh(v)),
                _ => v > 0 ? 1f : 0.01f,
            };
        }

        return Tensor.FromArray(values, z.Shape);

        static float Sigmoid(float v) => 1f / (1f + MathF.Exp(-v));
    }

    private (float Cost, string CostFormula, Tensor Error, string ErrorFormula) OutputError(Tensor yHat, Tensor y, Tensor zOut)
    {
        var last = E(_weights.Length - 1);
        var z = Z(_weights.Length - 1);
        switch (Loss)
        {
            case ExplainLoss.HalfSquared:
                {
                    var diff = yHat - y;
                    return ((diff * diff).Sum().Item() * 0.5f, "C = ½·Σ(ŷ − y)²", diff * Derivative(zOut), $"{last} = (ŷ − y) ⊙ {DerivativeName}({z})");
                }

            case ExplainLoss.Mse:
                {
                    var diff = yHat - y;
                    var count = y.Numel;
                    return ((diff * diff).Mean().Item(), "C = mean((ŷ − y)²)", diff * (2f / count) * Derivative(zOut), $"{last} = (2/{count})·(ŷ − y) ⊙ {DerivativeName}({z})");
                }

            default:
                {
                    var target = (int)y.Item();
                    var oneHot = Tensor.Zeros(1, Layers[^1]);
                    oneHot[0, target] = 1f;
                    return (-MathF.Log(yHat[0, target]), $"C = −log ŷ[{target}]", yHat - oneHot, $"{last} = ŷ − onehot({target})");
                }
        }
    }

    /// <summary>
    /// The same cost computed by autograd ops on copies of the current weights (leaves that require grad),
    /// with every intermediate's gradient retained, so that a graph or a check can be made from it.
    /// </summary>
    /// <param name="x">The input, [1, inputs].</param>
    /// <param name="y">The target.</param>
    /// <returns>The cost and the parameter copies by name (Wh, Bh, …).</returns>
    public (Tensor Cost, IReadOnlyList<KeyValuePair<string, Tensor>> Parameters) AutogradCost(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        Validate(x, y);
        var parameters = new List<KeyValuePair<string, Tensor>>();
        var a = x;
        for (var l = 0; l < _weights.Length; l++)
        {
            var w = _weights[l].Clone().SetRequiresGrad();
            var b = _biases[l].Clone().SetRequiresGrad();
            parameters.Add(new(W(l), w));
            parameters.Add(new(B(l), b));
            var z = (a.MatMul(w) + b).RetainGrad();
            a = l == _weights.Length - 1 && Loss == ExplainLoss.CrossEntropy ? z : Apply(z).RetainGrad();
        }

        var cost = Loss switch
        {
            ExplainLoss.HalfSquared => ((a - y).Pow(2f) * 0.5f).Sum(),
            ExplainLoss.Mse => (a - y).Pow(2f).Mean(),
            _ => -a.LogSoftmax(1).Gather(1, y.Reshape(1, 1)).Sum(),
        };
        return (cost, parameters);
    }

    /// <summary>Lets autograd differentiate the same cost and returns the largest difference from the hand-derived gradients.</summary>
    private double CompareWithAutograd(Tensor x, Tensor y, Tensor[] gradW, Tensor[] gradB)
    {
        var (cost, parameters) = AutogradCost(x, y);
        cost.Backward();
        double max = 0;
        for (var l = 0; l < _weights.Length; l++)
        {
            max = Math.Max(max, (parameters[2 * l].Value.Grad! - gradW[l]).Abs().Max().Item());
            max = Math.Max(max, (parameters[(2 * l) + 1].Value.Grad! - gradB[l]).Abs().Max().Item());
        }

        return max;
    }

    private static UpdateLine Update(string name, ref Tensor parameter, Tensor gradient, float learningRate)
    {
        var old = parameter;
        parameter = old - (gradient * learningRate);
        return new UpdateLine(name, old, gradient, parameter);
    }
}
