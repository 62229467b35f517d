using System.Globalization;
using Backprop.Kernels;
using Backprop.Kernels.Recurrent;

namespace Backprop.NN;

/// <summary>
/// The shared part of <see cref="RNN"/>, <see cref="LSTM"/> and <see cref="GRU"/>, as PyTorch's RNNBase: the
/// weights of every layer and direction under PyTorch's names (weight_ih_l0, weight_hh_l0, bias_ih_l0,
/// bias_hh_l0, then the _reverse ones of a bidirectional layer), initialised U(−1/√H, 1/√H), and the loop
/// over layers and directions. Each direction of a layer is one input-projection GEMM over all steps and
/// one fused recurrent node.
/// </summary>
public abstract class RNNBase : Module
{
    private readonly CellKind _kind;
    private readonly Parameter[] _inputWeights;
    private readonly Parameter[] _hiddenWeights;
    private readonly Parameter?[] _inputBiases;
    private readonly Parameter?[] _hiddenBiases;
    private readonly Generator? _generator;

    private protected RNNBase(string name, CellKind kind, int inputSize, int hiddenSize, int numLayers, bool bias, bool batchFirst, float dropout, bool bidirectional, Generator? generator)
    {
        if (inputSize <= 0 || hiddenSize <= 0 || numLayers <= 0)
        {
            throw new ArgumentException($"{name}: inputSize ({inputSize}), hiddenSize ({hiddenSize}) and numLayers ({numLayers}) must be positive.", nameof(inputSize));
        }

        if (dropout is < 0f or >= 1f)
        {
            throw new ArgumentOutOfRangeException(nameof(dropout), $"{name}: dropout must be in [0, 1), got {dropout}.");
        }

        Name = name;
        _kind = kind;
        (InputSize, HiddenSize, NumLayers, Bias, BatchFirst, Dropout, Bidirectional, _generator) = (inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, generator);
        var directions = bidirectional ? 2 : 1;
        var gates = RecurrentKernel.Gates(kind) * hiddenSize;
        var bound = 1f / MathF.Sqrt(hiddenSize);
        _inputWeights = new Parameter[numLayers * directions];
        _hiddenWeights = new Parameter[numLayers * directions];
        _inputBiases = new Parameter?[numLayers * directions];
        _hiddenBiases = new Parameter?[numLayers * directions];
        for (var layer = 0; layer < numLayers; layer++)
        {
            for (var d = 0; d < directions; d++)
            {
                var i = (layer * directions) + d;
                var suffix = string.Create(CultureInfo.InvariantCulture, $"_l{layer}{(d == 1 ? "_reverse" : string.Empty)}");
                var layerInput = layer == 0 ? inputSize : hiddenSize * directions;
                _inputWeights[i] = RegisterParameter("weight_ih" + suffix, new Parameter(Tensor.Uniform([gates, layerInput], -bound, bound, generator)));
                _hiddenWeights[i] = RegisterParameter("weight_hh" + suffix, new Parameter(Tensor.Uniform([gates, hiddenSize], -bound, bound, generator)));
                if (bias)
                {
                    _inputBiases[i] = RegisterParameter("bias_ih" + suffix, new Parameter(Tensor.Uniform([gates], -bound, bound, generator)));
                    _hiddenBiases[i] = RegisterParameter("bias_hh" + suffix, new Parameter(Tensor.Uniform([gates], -bound, bound, generator)));
                }
            }
        }
    }

    /// <summary>The features of each input step.</summary>
    public int InputSize { get; }

    /// <summary>The hidden state's size H.</summary>
    public int HiddenSize { get; }

    /// <summary>The stacked layers.</summary>
    public int NumLayers { get; }

    /// <summary>Whether the layers have biases.</summary>
    public bool Bias { get; }

    /// <summary>Whether inputs and outputs are [B, T, features] rather than [T, B, features].</summary>
    public bool BatchFirst { get; }

    /// <summary>The dropout on each layer's output but the last, in training.</summary>
    public float Dropout { get; }

    /// <summary>Whether each layer also runs backwards in time (outputs 2·H wide).</summary>
    public bool Bidirectional { get; }

    private string Name { get; }

    /// <inheritdoc/>
    public override string ToString()
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{Name}({InputSize}, {HiddenSize}");
        text += NumLayers != 1 ? $", num_layers={NumLayers}" : string.Empty;
        text += !Bias ? ", bias=False" : string.Empty;
        text += BatchFirst ? ", batch_first=True" : string.Empty;
        text += Dropout != 0 ? $", dropout={PyText.Of(Dropout)}" : string.Empty;
        text += Bidirectional ? ", bidirectional=True" : string.Empty;
        return text + ")";
    }

    /// <summary>
    /// Runs every layer and direction: returns the last layer's output ([T, B, D·H], or [B, T, D·H] batch first),
    /// and the final hidden (and, for an LSTM, cell) state of every layer and direction, [layers·D, B, H].
    /// Unbatched input [T, features] gives unbatched results.
    /// </summary>
    private protected (Tensor Output, Tensor H, Tensor? C) Run(Tensor input, Tensor? h0, Tensor? c0)
    {
        ArgumentNullException.ThrowIfNull(input);
        var unbatched = input.Rank == 2;
        if (unbatched)
        {
            var (o, h, c) = Run(BatchFirst ? input.Unsqueeze(0) : input.Unsqueeze(1), h0?.Unsqueeze(1), c0?.Unsqueeze(1));
            return (BatchFirst ? o.Squeeze(0) : o.Squeeze(1), h.Squeeze(1), c?.Squeeze(1));
        }

        if (input.Rank != 3 || input.Size(2) != InputSize || input.Size(BatchFirst ? 1 : 0) == 0)
        {
            throw new ArgumentException($"{Name}: input {Shapes.Format(input.Dims)} must be {(BatchFirst ? "[B, T, " : "[T, B, ")}{InputSize}] (or [T, {InputSize}] unbatched) with at least one step.", nameof(input));
        }

        var x = BatchFirst ? input.Transpose(0, 1) : input;
        int steps = x.Size(0), batch = x.Size(1), directions = Bidirectional ? 2 : 1;
        int[] stateShape = [NumLayers * directions, batch, HiddenSize];
        h0 = CheckState(h0, stateShape, "h0", input.DType);
        if (_kind == CellKind.Lstm)
        {
            c0 = CheckState(c0, stateShape, "c0", input.DType);
        }

        var finalH = new List<Tensor>();
        var finalC = new List<Tensor>();
        for (var layer = 0; layer < NumLayers; layer++)
        {
            var outputs = new Tensor[directions];
            for (var d = 0; d < directions; d++)
            {
                var i = (layer * directions) + d;
                var projection = Tensor.Linear(x, _inputWeights[i], _inputBiases[i]);
                var y = Tensor.RecurrentSequence(_kind, projection, _hiddenWeights[i], _hiddenBiases[i], h0.Narrow(0, i, 1).Reshape(batch, HiddenSize), c0?.Narrow(0, i, 1).Reshape(batch, HiddenSize), reverse: d == 1);
                outputs[d] = _kind == CellKind.Lstm ? y.Narrow(0, 0, steps) : y;
                finalH.Add(outputs[d].Narrow(0, d == 0 ? steps - 1 : 0, 1));
                if (_kind == CellKind.Lstm)
                {
                    finalC.Add(y.Narrow(0, steps, 1));
                }
            }

            x = directions == 2 ? Tensor.Cat(outputs, 2) : outputs[0];
            if (layer < NumLayers - 1 && Training && Dropout > 0f)
            {
                x = Tensor.Dropout(x, Dropout, training: true, _generator);
            }
        }

        return (BatchFirst ? x.Transpose(0, 1) : x, Tensor.Cat(finalH, 0), _kind == CellKind.Lstm ? Tensor.Cat(finalC, 0) : null);
    }

    private Tensor CheckState(Tensor? state, int[] shape, string name, DType dtype)
    {
        if (state is null)
        {
            return Tensor.Zeros(shape, dtype);
        }

        if (!state.Dims.AsSpan().SequenceEqual(shape))
        {
            throw new ArgumentException($"{Name}: {name} {Shapes.Format(state.Dims)} must be {Shapes.Format(shape)} (layers·directions, batch, hidden).", name);
        }

        return state;
    }
}
