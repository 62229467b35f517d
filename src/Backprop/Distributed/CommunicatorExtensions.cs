using System.Text;

namespace Backprop.Distributed;

/// <summary>The collectives on tensors and strings, and the checks that every rank agrees.</summary>
public static class CommunicatorExtensions
{
    /// <summary>Combines a tensor's values over every rank, in place (float32, float64 or int64).</summary>
    /// <param name="communicator">The ranks.</param>
    /// <param name="tensor">This rank's values in, the combined values out; the same shape on every rank.</param>
    /// <param name="op">How to combine them.</param>
    public static void AllReduce(this ICommunicator communicator, Tensor tensor, ReduceOp op = ReduceOp.Sum)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        ArgumentNullException.ThrowIfNull(tensor);
        switch (tensor.DType)
        {
            case DType.Float32:
                communicator.AllReduce(tensor.Storage<float>().AsSpan(), op);
                break;
            case DType.Float64:
                communicator.AllReduce(tensor.Storage<double>().AsSpan(), op);
                break;
            case DType.Int64:
                communicator.AllReduce(tensor.Storage<long>().AsSpan(), op);
                break;
            default:
                throw new NotSupportedException($"AllReduce: a {tensor.DType.Name()} tensor cannot be reduced; use float32, float64 or int64.");
        }

        tensor.BumpVersion();
    }

    /// <summary>Copies <paramref name="root"/>'s tensor into every other rank's, in place (any dtype).</summary>
    /// <param name="communicator">The ranks.</param>
    /// <param name="tensor">The values on the root; overwritten on the others. The same shape and dtype on every rank.</param>
    /// <param name="root">The rank that sends.</param>
    public static void Broadcast(this ICommunicator communicator, Tensor tensor, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        ArgumentNullException.ThrowIfNull(tensor);
        switch (tensor.DType)
        {
            case DType.Float32:
                communicator.Broadcast(tensor.Storage<float>().AsSpan(), root);
                break;
            case DType.Float64:
                communicator.Broadcast(tensor.Storage<double>().AsSpan(), root);
                break;
            case DType.Int64:
                communicator.Broadcast(tensor.Storage<long>().AsSpan(), root);
                break;
            default:
                communicator.Broadcast(System.Runtime.InteropServices.MemoryMarshal.AsBytes(tensor.Storage<bool>().AsSpan()), root);
                break;
        }

        tensor.BumpVersion();
    }

    /// <summary>Every rank's tensor, stacked along a new first dimension in rank order.</summary>
    /// <param name="communicator">The ranks.</param>
    /// <param name="tensor">This rank's float32 tensor; the same shape on every rank.</param>
    /// <returns>A tensor of shape [Size, ...tensor's shape].</returns>
    public static Tensor AllGather(this ICommunicator communicator, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.DType != DType.Float32)
        {
            throw new NotSupportedException($"AllGather: gathers float32 tensors; this one is {tensor.DType.Name()}.");
        }

        var gathered = new float[(long)tensor.Numel * communicator.Size];
        communicator.AllGather<float>(tensor.AsSpan<float>(), gathered);
        return Tensor.FromArray(gathered, [communicator.Size, .. tensor.Shape]);
    }

    /// <summary>Every rank's string, in rank order.</summary>
    /// <param name="communicator">The ranks.</param>
    /// <param name="value">This rank's string.</param>
    /// <returns>One string per rank.</returns>
    public static string[] AllGather(this ICommunicator communicator, string value)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        ArgumentNullException.ThrowIfNull(value);
        var bytes = Encoding.UTF8.GetBytes(value);
        var lengths = new int[communicator.Size];
        communicator.AllGather<int>([bytes.Length], lengths);
        var longest = lengths.Max();
        var padded = new byte[longest];
        bytes.CopyTo(padded, 0);
        var all = new byte[longest * communicator.Size];
        communicator.AllGather<byte>(padded, all);
        return [.. Enumerable.Range(0, communicator.Size).Select(r => Encoding.UTF8.GetString(all, r * longest, lengths[r]))];
    }

    /// <summary>
    /// How many ranks run on this machine (this one included), by comparing the ranks' machine names: what a rank
    /// divides the machine's cores by. A collective: every rank must call it.
    /// </summary>
    /// <param name="communicator">The ranks.</param>
    /// <returns>The number of ranks whose machine name is this one's.</returns>
    public static int LocalSize(this ICommunicator communicator)
    {
        var hosts = communicator.AllGather(Environment.MachineName);
        return hosts.Count(h => h == Environment.MachineName);
    }

    /// <summary>
    /// Throws unless every rank gives the same <paramref name="value"/>: how ranks started with different options
    /// or models find out before they train, instead of averaging gradients of different shapes.
    /// </summary>
    /// <param name="communicator">The ranks.</param>
    /// <param name="what">What the value is, for the message ("the training options").</param>
    /// <param name="value">This rank's value.</param>
    /// <exception cref="CommunicatorException">Some rank's value differs from rank 0's; the message names the ranks and shows both values.</exception>
    public static void CheckSame(this ICommunicator communicator, string what, string value)
    {
        var all = communicator.AllGather(value);
        var differ = Enumerable.Range(1, all.Length - 1).Where(r => all[r] != all[0]).ToArray();
        if (differ.Length > 0)
        {
            throw new CommunicatorException($"The ranks disagree on {what}: rank{(differ.Length == 1 ? "" : "s")} {string.Join(", ", differ)} differ{(differ.Length == 1 ? "s" : "")} from rank 0.\n  rank 0: {all[0]}\n  rank {differ[0]}: {all[differ[0]]}\nStart every rank with the same command line.");
        }
    }
}
