// Package web is the web chat channel: an embeddable chat widget and the
// [http.Handler] behind it, which turns visitor messages and page events
// into [parley.Turn] values for a bot.
//
// # Overview
//
//	bot := parley.NewBot(myHandler)
//	chat, err := web.NewHandler(bot, web.Config{
//		Secret:         secret, // 32+ random bytes, stable across restarts
//		AllowedOrigins: []string{"https://shop.example"},
//	})
//	if err != nil {
//		return err
//	}
//	defer chat.Close(context.Background())
//	mux := http.NewServeMux()
//	mux.Handle("/chat/", http.StripPrefix("/chat", chat))
//	mux.Handle("/", web.DemoPage("/chat/widget.js"))
//	// Any page: <script src="https://your.app/chat/widget.js" async></script>
//	// A proactive message to a visitor with an open page:
//	err = chat.Push(ctx, conversationID, parley.Text("Your order has shipped."))
//
// The widget talks over a WebSocket and falls back to server-sent events
// plus POST when the WebSocket fails. It shows a privacy notice and a
// consent question; only after the visitor agrees does the handler keep the
// transcript and the widget keep the visitor's token, so that a reload shows
// the conversation again. It renders quick replies, cards, images and
// files, a typing indicator ([parley.Typer]) and read receipts
// ([parley.ReadMarker]; a message also shows as read as soon as the bot
// starts answering it), accepts uploads within [Config.UploadTypes] and
// [Config.MaxUploadBytes], and always offers a "Talk to a human" button
// that sends [HumanText] with payload [HumanPayload]. Pages report behaviour
// with parley.track("product_view", {id: "sku-1"}); the bot receives a turn
// whose [parley.Signal] carries the event and a "count_24h" field.
//
// The script tag takes optional attributes: data-open="true" opens the
// panel on load, data-idle-seconds="45" reports a "page.idle" event (with
// the page's path) after that long without input, data-transport="sse"
// skips the WebSocket, and data-token passes a token minted with
// [Handler.Token]. The page API is parley.track(name, data), parley.open(),
// parley.close() and parley.send(text). The widget lives in a shadow root;
// set the CSS variable --parley-accent on #parley-chat to recolour it, and
// [Config.Labels] to translate its texts.
//
// Consent and transcripts are kept in memory, or in [Config.Store] (any
// [memory.Store], such as Redis or PostgreSQL) so that they survive restarts
// and are shared by replicas.
//
// Every turn has Channel "web", the ConversationID named by the visitor's
// token, and the client's message ID, so a message resent after a reconnect
// is dropped by the [parley.Bot].
//
// The application learns a visitor's conversation ID from their turns
// (Turn.ConversationID) and can then [Handler.Push] to them while their page
// is open. Once it has verified the visitor's e-mail or phone, [Handler.Link]
// ties the conversation to a customer through [Config.Linker], so that later
// turns carry the CustomerID that WhatsApp or SMS turns of the same person
// carry. Handler implements [channel.Adapter].
//
// # Wire protocol
//
// For custom clients (a mobile app, a test): POST /session, with
// "Authorization: Bearer <token>" to resume, answers {"token",
// "conversation", "consent", "history", ...}; an invalid token gets a new
// conversation. Then either open GET /ws and send {"type":"hello",
// "token":...} first, or read GET /events (server-sent events, bearer
// token) and POST frames to /send. Frames are JSON objects with a "type".
// Client to server:
//
//	{"type":"message","id":"<uuid>","text":"Yes please","payload":"yes"}
//	{"type":"track","id":"<uuid>","name":"product_view","data":{"id":"sku-1"}}
//	{"type":"consent","granted":true}
//	{"type":"ping"}
//
// Server to client: "ready" (consent and history), "message" (an [Entry]
// from the visitor or the bot), "ack" (message received), "typing",
// "read" (message read), "consent" and "error" (code and message). Frames
// queued together arrive in one WebSocket message as a JSON array. Uploads
// are multipart POSTs to /upload with fields "id" and "file".
//
// # Security
//
// Anonymous visitors hold a token signed with HMAC-SHA256 under
// [Config.Secret] that names their conversation; every endpoint requires it,
// so nobody can read or write another visitor's conversation. Cross-origin
// browser requests are refused unless the origin is in
// [Config.AllowedOrigins] (net/http's CrossOriginProtection for POSTs, an
// origin check for the WebSocket and the event stream). Frames, messages
// and uploads have size limits, and each conversation has a rate limit.
//
// # Concurrency
//
// A [Handler] is safe for concurrent use. Each open connection has a reader
// (the HTTP handler goroutine, which runs the bot's turns in order) and, for
// a WebSocket, a writer goroutine; [Handler.Close] closes connections
// and waits for both. A slow browser never blocks the bot: its frames are
// queued, and a connection whose queue overflows is closed and catches up
// from the history when it reconnects.
//
// # Errors
//
// Refused input gets an error frame (WebSocket) or a JSON error response
// with a code ([CodeInvalidToken], [CodeOrigin], [CodeTooLarge],
// [CodeBadFrame], [CodeRateLimited], [CodeUploadType]) and is reported to
// [Config.Observer] as an [EventRejected] event whose Err is a
// [*RejectError] wrapping a sentinel such as [ErrRateLimited]. A WebSocket
// frame over [Config.MaxFrameBytes] closes the connection with status 1009.
// [Handler.Push] returns [ErrNotConnected] for a visitor with no open
// connection. A failing [Config.Store] does not stop the conversation: it is
// reported as an [EventStoreError].
package web
