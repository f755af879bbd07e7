// Package web is the web chat channel: an embeddable chat widget and the
// [http.Handler] behind it, which turns visitor messages and page events
// into [parley.Turn] values for a bot, and a [parley.Sender] that delivers
// the bot's messages outside a turn.
//
// # Overview
//
//	chat, err := web.New(web.Config{
//		Secret:         secret, // 32+ random bytes, stable across restarts
//		AllowedOrigins: []string{"https://shop.example"},
//	})
//	if err != nil {
//		return err
//	}
//	defer chat.Close(context.Background())
//	bot := parley.NewBot(myHandler, parley.WithSender("web", chat.Sender()))
//	mux := http.NewServeMux()
//	mux.Handle("/chat/", http.StripPrefix("/chat", chat.Handler(bot)))
//	// A demo product page with the widget: /chat/demo.
//	// Any page: <script src="https://your.app/chat/widget.js" async></script>
//	// An agent's or a proactive message, through the Bot or directly:
//	err = chat.Sender().Send(ctx, parley.Address{Channel: "web", ConversationID: id}, parley.Text("Your order has shipped."))
//
// With a [*parley.Bot] the handler passes each visitor message, upload and
// page event to [parley.Bot.Enqueue] and tells the widget the message was
// received only once the Bot recorded it: with a durable store
// ([parley.WithStore]) and [parley.Bot.Recover] at start-up, a message the
// visitor saw acknowledged is answered even if the process stops
// mid-turn. The Bot sends the replies, typing indicators and read receipts
// back through the Chat, so parley.WithSender("web", chat.Sender()) is required;
// without it the replies stay in the Bot's outbox and every turn is
// reported to the Bot's observer as a [parley.EventTurnError] wrapping
// [parley.ErrNoSender]. A handler without an Enqueue method runs each turn
// through HandleTurn while the connection waits.
//
// The widget talks over a WebSocket and falls back to server-sent events
// plus POST when the WebSocket fails. It shows a privacy notice and a
// consent question; only after the visitor agrees does the handler keep the
// transcript and the widget keep the visitor's token, so that a reload shows
// the conversation again. It renders quick replies, cards, images and
// files, a typing indicator ([parley.Typing]) and read receipts
// ([parley.MarkRead]; a message also shows as read as soon as the bot
// starts answering it), accepts uploads within [Config.UploadTypes] and
// [Config.MaxUploadBytes], and offers a "Talk to a human" button
// that sends "talk to a human" with payload "human" (while the visitor
// waits for a person it leaves the queue instead, and while a person
// answers it is hidden: see [Labels]). Its own texts follow the
// conversation's language ([Config.Translations]); a typed option number
// ("2") picks that quick reply, as the terminal channel reads it. Pages report behaviour
// with parley.track("product_view", {id: "sku-1"}); the bot receives a turn
// whose [parley.Signal] carries the event and a "count_24h" field. Only
// the names in [Config.TrackEvents] (by default the page, product, idle and cart events the widget documents) are
// accepted: any other name, and above all the runtime's own signals
// (agent messages, hand-off lifecycle, approvals: see
// [channel.InternalSignal]), is refused with an "event_not_allowed" error
// frame and never reaches the bot.
//
// # Embedding the widget
//
// One script tag on any page (the page needs a viewport meta tag for phones),
// with optional attributes and theme:
//
//	<meta name="viewport" content="width=device-width, initial-scale=1">
//	<style>
//	  #parley-chat {
//	    --parley-accent: #0f766e;     /* buttons, the visitor's bubbles, links */
//	    --parley-accent-text: #fff;   /* text on the accent */
//	    --parley-agent: #b45309;      /* the avatar of a person from the team */
//	    --parley-font: Inter, sans-serif;
//	    --parley-radius: 12px;        /* corners of the panel */
//	    --parley-offset: 24px;        /* distance from the window's corner */
//	  }
//	</style>
//	<script src="https://your.app/chat/widget.js" async
//	  data-open="false"          // "true" opens the panel on load
//	  data-idle-seconds="45"     // report "page.idle" (with the path) after 45 s without input
//	  data-transport="sse"       // skip the WebSocket (server-sent events and POST)
//	  data-token="..."></script> // a visitor token minted with Chat.Token
//
// (The // notes are not HTML: leave them out.) The page API is
// parley.track(name, data), parley.open(), parley.close(),
// parley.send(text) and parley.signedIn(text, translations), which
// replaces the "Signed in as" line when the page's sign-in changes; its
// optional translations ({es: "Sesión iniciada como Ada"}) follow the
// conversation's language as [Config.Translations] do. The widget lives in a shadow root, so page styles
// neither reach nor leak from it; only the custom properties above do.
// [Config.Labels] translates its texts and sets the greeting shown when the
// panel opens on an empty conversation and the "Signed in as" line.
//
// On screens under 520 px wide the open panel fills the screen inside the
// safe area of notched phones; inputs use 16 px text (no zoom on iOS) and
// every control is at least 44 by 44 px. Escape closes the panel and gives
// focus back to the chat button; Tab goes through the header, the quick
// replies in order, then the text box; focus stays in the text box after
// sending; new messages are announced (role "log", polite). Messages from a
// person show their name and initial; web addresses in bot messages, such
// as knowledge-base sources written "Title (https://...)", are links (http
// and https only).
//
// Consent and transcripts are kept in memory, or in [Config.Store] (any
// [memory.Store], such as Redis or PostgreSQL) so that they survive restarts
// and are shared by replicas.
//
// Every turn has Channel "web", the ConversationID named by the visitor's
// token, and the client's message ID, so a message resent after a reconnect
// is dropped by the [parley.Bot]. The Bot accepts each turn (Enqueue),
// runs it, and sends the replies back through the Chat to every open
// connection of the conversation.
//
// [Chat.Sender] delivers the Bot's other messages (replies to enqueued turns,
// agents' messages, proactive messages) to every open connection of the
// conversation; with none open, they wait for the next connection. A
// message whose ID was already delivered is dropped, so the Bot's outbox
// can re-send after a restart without the visitor seeing it twice. Once the
// application has verified the visitor's e-mail or phone, linking the
// identity {Channel: "web", UserID: conversation ID} through
// [Config.Linker] makes later turns carry the CustomerID that WhatsApp or
// SMS turns of the same person carry.
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
// Server to client: "ready" (consent and history), "message" (an entry
// {"id","role","message","time"} from the visitor or the bot), "ack" (message received), "typing",
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
// A [Chat] is safe for concurrent use. Each open connection has a reader
// (the HTTP handler goroutine, which runs the bot's turns in order) and, for
// a WebSocket, a writer goroutine; [Chat.Close] closes connections
// and waits for both. A slow browser never blocks the bot: its frames are
// queued, and a connection whose queue overflows is closed and catches up
// from the history when it reconnects.
//
// # Errors
//
// Refused input gets an error frame (WebSocket) or a JSON error response
// with a code ("invalid_token", "origin", "too_large", "bad_frame",
// "rate_limited", "upload_type", "internal") and is reported to
// [Config.Observer] as a "web.rejected" event whose Attrs["code"] is the
// code. A WebSocket frame over [Config.MaxFrameBytes] closes the
// connection with status 1009. A failing [Config.Store] does not stop the
// conversation: it is reported as a "web.store_error" event. Connections
// are reported as "web.connected" and "web.disconnected", consent answers
// as "web.consent", and a turn the bot could not handle as
// "web.turn_failed".
package web
