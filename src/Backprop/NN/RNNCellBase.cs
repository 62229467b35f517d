using System.Globalization;
using Backprop.Kernels;
using Backprop.Kernels.Recurrent;

namespace Backprop.NN;

/// <summary>
/// The shared part of <see cref="RNNCell"/>, <see cref="LSTMCell"/> and <see cref="GRUCell"/>: one step of the
/// matching layer, with PyTorch's keys weight_ih, weight_hh, bias_ih, bias_hh and initialisation U(−1/√H, 1/√H).
/// A step is the same fused node as a layer's, one step long.
/// </summary>
public abstract class RNNCellBase : Module
{
    private readonly CellKind _kind;

    private protected RNNCellBase(string name, CellKind kind, int inputSize, int hiddenSize, bool bias, Generator? generator)
    {
        if (inputSize <= 0 || hiddenSize <= 0)
        {
            throw new ArgumentException($"{name}: inputSize ({inputSize}) and hiddenSize ({hiddenSize}) must be positive.", nameof(inputSize));
        }

        (Name, _kind, InputSize, HiddenSize) = (name, kind, inputSize, hiddenSize);
        var gates = RecurrentKernel.Gates(kind) * hiddenSize;
        var bound = 1f / MathF.Sqrt(hiddenSize);
        WeightIh = RegisterParameter("weight_ih", new Parameter(Tensor.Uniform([gates, inputSize], -bound, bound, generator)));
        WeightHh = RegisterParameter("weight_hh", new Parameter(Tensor.Uniform([gates, hiddenSize], -bound, bound, generator)));
        if (bias)
        {
            BiasIh = RegisterParameter("bias_ih", new Parameter(Tensor.Uniform([gates], -bound, bound, generator)));
            BiasHh = RegisterParameter("bias_hh", new Parameter(Tensor.Uniform([gates], -bound, bound, generator)));
        }
    }

    /// <summary>The features of the input.</summary>
    public int InputSize { get; }

    /// <summary>The hidden state's size H.</summary>
    public int HiddenSize { get; }

    /// <summary>The input weights, [gates·H, input].</summary>
    public Parameter WeightIh { get; }

    /// <summary>The hidden weights, [gates·H, H].</summary>
    public Parameter WeightHh { get; }

    /// <summary>The input bias, or null.</summary>
    public Parameter? BiasIh { get; }

    /// <summary>The hidden bias, or null.</summary>
    public Parameter? BiasHh { get; }

    private string Name { get; }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}({InputSize}, {HiddenSize}{(BiasIh is null ? ", bias=False" : string.Empty)})");

    /// <summary>One step from input [B, input] (or [input]) and state [B, H] (zeros when null): the new h, and for an LSTM the new c.</summary>
    private protected (Tensor H, Tensor? C) Step(Tensor input, Tensor? h, Tensor? c)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 1)
        {
            var (h1, c1) = Step(input.Unsqueeze(0), h?.Unsqueeze(0), c?.Unsqueeze(0));
            return (h1.Squeeze(0), c1?.Squeeze(0));
        }

        if (input.Rank != 2 || input.Size(1) != InputSize)
        {
            throw new ArgumentException($"{Name}: input {Shapes.Format(input.Dims)} must be [B, {InputSize}] or [{InputSize}].", nameof(input));
        }

        int[] state = [input.Size(0), HiddenSize];
        foreach (var (t, what) in new[] { (h, "h"), (c, "c") })
        {
            if (t is not null && !t.Dims.AsSpan().SequenceEqual(state))
            {
                throw new ArgumentException($"{Name}: {what} {Shapes.Format(t.Dims)} must be {Shapes.Format(state)} (batch, hidden).", what);
            }
        }

        var projection = Tensor.Linear(input.Unsqueeze(0), WeightIh, BiasIh);
        var y = Tensor.RecurrentSequence(_kind, projection, WeightHh, BiasHh, h ?? Tensor.Zeros(state, input.DType), _kind == CellKind.Lstm ? c ?? Tensor.Zeros(state, input.DType) : null, reverse: false);
        return (y.Narrow(0, 0, 1).Squeeze(0), _kind == CellKind.Lstm ? y.Narrow(0, 1, 1).Squeeze(0) : null);
    }
}
