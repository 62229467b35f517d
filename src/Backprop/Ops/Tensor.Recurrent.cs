using Backprop.Kernels.Recurrent;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// One direction of one recurrent layer over a sequence, as one graph node: from the input projections
    /// [T, B, G·H] (x·W_ihᵀ + b_ih for every step), W_hh [G·H, H], b_hh [G·H] (or null) and the initial
    /// state h0 [B, H] (and c0 for an LSTM), the hidden state at every time, [T, B, H], followed for an LSTM
    /// by the last cell state ([T + 1, B, H] in all). Differentiable in every tensor input.
    /// </summary>
    internal static Tensor RecurrentSequence(CellKind kind, Tensor inputProjection, Tensor hiddenWeight, Tensor? hiddenBias, Tensor h0, Tensor? c0, bool reverse)
    {
        int steps = inputProjection.Dims[0], batch = inputProjection.Dims[1], hidden = hiddenWeight.Dims[1];
        if (inputProjection._dtype == DType.Float64)
        {
            return RecurrentComposed(kind, inputProjection, hiddenWeight, hiddenBias, h0, c0, reverse);
        }

        var kernel = new RecurrentKernel(kind, steps, batch, hidden, reverse);
        var output = NewOutput([steps + (kind == CellKind.Lstm ? 1 : 0), batch, hidden]);
        kernel.Forward(inputProjection.Data, hiddenWeight.Data, hiddenBias?.Data, h0.Data, c0?.Data, output.Data);
        Tensor[] inputs = [inputProjection, hiddenWeight, .. hiddenBias is null ? Array.Empty<Tensor>() : [hiddenBias], h0, .. c0 is null ? Array.Empty<Tensor>() : [c0]];
        if (inputs.Any(NeedsGrad))
        {
            output.Record(kind == CellKind.Lstm ? "LSTM" : kind == CellKind.Gru ? "GRU" : "RNN", inputs, g =>
            {
                var dInput = inputProjection.RequiresGrad ? RentGradArray(inputProjection.Numel) : null;
                var dH0 = h0.RequiresGrad ? RentGradArray(h0.Numel) : null;
                var dC0 = c0 is { RequiresGrad: true } ? RentGradArray(c0.Numel) : null;
                var dWeight = hiddenWeight.RequiresGrad ? hiddenWeight.GradAccumulator() : default;
                var dBias = hiddenBias is { RequiresGrad: true } ? hiddenBias.GradAccumulator() : default;
                kernel.Backward(g, hiddenWeight.Data, dInput, dWeight, dBias, dH0, dC0);
                Deposit(inputProjection, dInput);
                Deposit(h0, dH0);
                if (c0 is not null)
                {
                    Deposit(c0, dC0);
                }
            }, inputs, graph: Recomputed(x =>
            {
                var bias = hiddenBias is null ? null : x[2];
                var at = hiddenBias is null ? 2 : 3;
                return RecurrentComposed(kind, x[0], x[1], bias, x[at], c0 is null ? null : x[at + 1], reverse);
            }));
        }

        return output;

        static void Deposit(Tensor t, float[]? grad)
        {
            if (grad is not null)
            {
                t.DepositGrad(grad, t.Dims, owned: true);
            }
        }
    }

    /// <summary>
    /// <see cref="RecurrentSequence"/> as tensor ops, one step at a time with PyTorch's cell equations: the float64
    /// path, and, recomputed, the fused kernel's backward through tensor ops.
    /// </summary>
    private static Tensor RecurrentComposed(CellKind kind, Tensor inputProjection, Tensor hiddenWeight, Tensor? hiddenBias, Tensor h0, Tensor? c0, bool reverse)
    {
        var steps = inputProjection.Dims[0];
        var hiddenT = hiddenWeight.T;
        var outputs = new Tensor[steps];
        Tensor h = h0, c = c0!;
        for (var step = 0; step < steps; step++)
        {
            var t = reverse ? steps - 1 - step : step;
            var x = inputProjection.Select(0, t);
            var recurrent = h.MatMul(hiddenT);
            if (hiddenBias is not null)
            {
                recurrent += hiddenBias;
            }

            switch (kind)
            {
                case CellKind.Lstm:
                    var gates = (x + recurrent).Chunk(4, 1);
                    c = (gates[1].Sigmoid() * c) + (gates[0].Sigmoid() * gates[2].Tanh());
                    h = gates[3].Sigmoid() * c.Tanh();
                    break;
                case CellKind.Gru:
                    var xs = x.Chunk(3, 1);
                    var hs = recurrent.Chunk(3, 1);
                    var r = (xs[0] + hs[0]).Sigmoid();
                    var z = (xs[1] + hs[1]).Sigmoid();
                    var n = (xs[2] + (r * hs[2])).Tanh();
                    h = ((1.0 - z) * n) + (z * h);
                    break;
                default:
                    var sum = x + recurrent;
                    h = kind == CellKind.RnnRelu ? sum.Relu() : sum.Tanh();
                    break;
            }

            outputs[t] = h;
        }

        return Stack(kind == CellKind.Lstm ? [.. outputs, c] : outputs);
    }
}
